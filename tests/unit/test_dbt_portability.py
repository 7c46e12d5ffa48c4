"""Model SQL stays portable: DuckDB-only functions and syntax live only in one engine's macro."""

from __future__ import annotations

import pytest

from dataops_assets.dbt.portability import DUCKDB_ONLY, engine_specific, scan_project, shared_macro_sql
from dataops_assets.settings import DBT_PROJECT_DIR


def test_models_and_shared_macros_use_no_duckdb_only_sql():
    found = scan_project(DBT_PROJECT_DIR)
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize("sql", [
    "select * from read_parquet('x/*.parquet')",
    "select sha256(email) from t",
    "select strftime(ts, '%Y-%m') from t",
    "select isodow(ts) from t",
    "select date_diff('day', a, b) from t",
    "select date_add(d, interval 1 day) from t",
    "select epoch(ts) from t",
    "select regexp_replace(phone, '[0-9]', '*', 'g') from t",
    "select hash(id) from t",
    "select getvariable('k')",
    "select unnest(xs) from t",
    "select * exclude (email) from t",
    "select a // b from t",
    "select cast(x as varchar) from t",
    "select cast(x as hugeint) from t",
])
def test_each_duckdb_only_construct_is_found(sql):
    [finding] = engine_specific(f"with t as (select 1)\n{sql}", "models/x.sql")
    assert finding.path == "models/x.sql" and finding.line == 2
    assert "runs on DuckDB only; expected" in str(finding)


def test_every_rule_has_a_case_above():
    cases = test_each_duckdb_only_construct_is_found.pytestmark[0].args[1]
    for pattern, construct, _ in DUCKDB_ONLY:
        assert any(engine_specific(sql) and any(f.construct == construct for f in engine_specific(sql))
                   for sql in cases), construct


def test_jinja_comments_strings_and_engine_macros_are_not_model_sql():
    assert engine_specific("select {{ read_landing(source('a', 'b')) }} -- not read_parquet(\nfrom t where x = 'a//b'") == []
    macros = """{% macro default__sha(x) %} sha256({{ x }}) {% endmacro %}
{% macro spark__sha(x) %} sha2({{ x }}, 256) {% endmacro %}
{% macro shared(x) %} sha256({{ x }}) {% endmacro %}"""
    [(line, body)] = shared_macro_sql(macros)
    assert line == 3 and [f.construct for f in engine_specific(body)] == ["sha256()"]
