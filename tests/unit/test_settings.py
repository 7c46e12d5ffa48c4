"""Settings read from the environment: the as-of instant reaches dbt as naive UTC."""

from __future__ import annotations

import datetime as dt

import pytest

from dataops_assets.settings import load_settings, parse_as_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T14:30:00Z", dt.datetime(2026, 11, 26, 14, 30)),
        ("2026-11-26 16:30:00+02:00", dt.datetime(2026, 11, 26, 14, 30)),
        ("2026-11-26T14:30:00.75", dt.datetime(2026, 11, 26, 14, 30)),
        ("", None),
    ],
)
def test_as_of_is_naive_utc(text, expected):
    assert parse_as_of(text) == expected


def test_as_of_reaches_dbt_or_stays_empty(tmp_path):
    pinned = load_settings({"DATAOPS_HOME": str(tmp_path), "DATAOPS_AS_OF": "2026-11-26T14:30:00Z"})
    assert pinned.dbt_env()["DATAOPS_AS_OF"] == "2026-11-26 14:30:00"
    assert load_settings({"DATAOPS_HOME": str(tmp_path)}).dbt_env()["DATAOPS_AS_OF"] == ""


def test_malformed_as_of_names_the_variable():
    with pytest.raises(ValueError, match=r"^DATAOPS_AS_OF: expected an ISO 8601 instant .*, got 'noon'$"):
        parse_as_of("noon")
