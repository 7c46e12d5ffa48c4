"""The landing contract check: each kind of drift is one readable problem."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from dataops_assets.sources.generator import generate_landing
from dataops_assets.sources.landing_contract import check_landing, landing_problems
from tests.sandbox import rewrite_landing


@pytest.fixture(scope="module")
def clean_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("contract")
    generate_landing(home / "landing", scale=0.001, seed=5, end_date=dt.date(2026, 3, 31), days=7)
    return home


@pytest.fixture
def home(clean_home, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(clean_home, copy)
    return copy


def test_generated_landing_meets_the_contract(clean_home):
    from dataops_assets.sources.landing_tables import LANDING_SCHEMAS

    tables = [(source, table) for source, tables in LANDING_SCHEMAS.items() for table in tables]
    check_landing(clean_home / "landing", tables)


def test_missing_column(home):
    rewrite_landing(home, "crm", "customers", "select * exclude (email) from landing")
    assert landing_problems(home / "landing", "crm", "customers") == [
        "landing/crm/customers/part-0000.parquet: column 'email' is missing, expected VARCHAR"
    ]


def test_retyped_column(home):
    rewrite_landing(home, "pos", "transactions", "select * replace (cast(amount as bigint) as amount) from landing")
    assert landing_problems(home / "landing", "pos", "transactions") == [
        "landing/pos/transactions/part-0000.parquet: column 'amount' is BIGINT, expected DOUBLE (or VARCHAR to be parsed)"
    ]


def test_text_column_is_accepted_for_staging_to_parse(home):
    rewrite_landing(home, "pos", "transactions", "select * replace (cast(amount as varchar) as amount) from landing")
    assert landing_problems(home / "landing", "pos", "transactions") == []


def test_extra_column_is_allowed(home):
    rewrite_landing(home, "pos", "transactions", "select *, 'x' as loyalty_tier from landing")
    assert landing_problems(home / "landing", "pos", "transactions") == []


def test_missing_files(home):
    shutil.rmtree(home / "landing" / "shop" / "payments")
    [problem] = landing_problems(home / "landing", "shop", "payments")
    assert problem.startswith("landing/shop/payments: no Parquet files in ")


def test_corrupt_file(home):
    (home / "landing" / "meteo" / "weather" / "part-0001.parquet").write_bytes(b"not parquet")
    [problem] = landing_problems(home / "landing", "meteo", "weather")
    assert problem.startswith("landing/meteo/weather/part-0001.parquet: unreadable Parquet")


def test_check_landing_reports_all_problems_on_one_line(home):
    shutil.rmtree(home / "landing" / "shop" / "payments")
    rewrite_landing(home, "crm", "customers", "select * exclude (email, country) from landing")
    with pytest.raises(ValueError) as excinfo:
        check_landing(home / "landing", [("shop", "payments"), ("crm", "customers"), ("pos", "transactions")])
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.count("; ") == 2
    assert "'country' is missing" in message and "shop/payments" in message
