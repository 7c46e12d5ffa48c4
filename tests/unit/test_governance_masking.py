"""Masking in SQL (published files) gives exactly what the Python masking gives (check examples)."""

from __future__ import annotations

import duckdb
import pytest

from dataops_assets.governance.masking import REDACTED, mask_value, masking_sql
from dataops_assets.publish.assets import PublishTarget, published_query

VALUES = ["jane.doe@example.com", "+1-555-0100", "ab", None]


@pytest.mark.parametrize("strategy", ["redact", "hash", "tokenize", "partial"])
def test_sql_masking_equals_python_masking(strategy):
    with duckdb.connect() as con:
        con.execute("create table people (email varchar)")
        con.executemany("insert into people values (?)", [[v] for v in VALUES])
        masked = [row[0] for row in con.execute(f"select {masking_sql('email', strategy)} from people").fetchall()]
    assert masked == [mask_value(v, strategy) for v in VALUES]
    assert not set(masked) & set(VALUES) - {None}


def test_partial_keeps_three_characters_only():
    assert mask_value("jane.doe@example.com", "partial") == "jan***@***"
    assert mask_value("+1-555-0100", "partial") == f"+1-{REDACTED}"


def test_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="masking strategy: expected one of redact, hash, tokenize, partial, got 'rot13'"):
        masking_sql("email", "rot13")


def test_published_rows_carry_masked_pii_and_every_other_column(tmp_path):
    target = PublishTarget(product="crm", model="people", model_key=None, relation="people", checks={},
                           pii_masking={"email": "partial"})
    with duckdb.connect() as con:
        con.execute("create table people as select 'jane.doe@example.com' as email, 42 as age")
        assert con.execute(published_query(target.relation, target.pii_masking)).fetchall() == [("jan***@***", 42)]
        unmasked = PublishTarget(product="crm", model="people", model_key=None, relation="people", checks={})
        assert con.execute(published_query(unmasked.relation, unmasked.pii_masking)).fetchall() == [("jane.doe@example.com", 42)]
