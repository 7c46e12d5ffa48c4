"""`dataops api-key`, `dataops sql` and `dataops serve`'s start-up checks, as a user runs them (click's runner,
in process), over a copy of the session's published snapshots; bad arguments get one line and exit 1 or 2."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from click.testing import CliRunner

from dataops_assets.cli.main import cli

QUICKSIGHT = """
select sales_date, region, sum(revenue) as total_revenue, sum(unique_customers) as unique_customers
from dataproducts.sales_daily_region_metrics
where sales_date >= (select max(sales_date) from dataproducts.sales_daily_region_metrics) - interval 30 day
group by sales_date, region
order by sales_date desc"""


@pytest.fixture(scope="module")
def home(materialized_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("serving_cli") / "home"
    shutil.copytree(materialized_home / "published", home / "published")
    shutil.copytree(materialized_home / "restricted", home / "restricted")
    return home


def run(home, *args, env=None, stdin=None):
    return CliRunner().invoke(cli, list(args), env={"DATAOPS_HOME": str(home), "DATAOPS_API_KEYS": "", **(env or {})},
                              input=stdin)


def test_api_keys_are_created_listed_and_revoked_without_showing_a_hash(home):
    created = run(home, "api-key", "create", "analyst@example.com", "--clearance", "S", "--json")
    assert created.exit_code == 0, created.output
    key = json.loads(created.stdout)
    assert key["key"].startswith(f"dpk_{key['id']}_") and key["clearance"] == "S"
    listed = json.loads(run(home, "api-key", "list", "--json").stdout)
    assert {"id": key["id"], "principal": "analyst@example.com", "clearance": "S"}.items() <= \
        next(e for e in listed if e["id"] == key["id"]).items()
    assert all("sha256" not in e and "key" not in e for e in listed)
    assert key["key"] not in (home / "api_keys.json").read_text()
    assert run(home, "api-key", "revoke", key["id"]).exit_code == 0
    assert key["id"] not in run(home, "api-key", "list").stdout


@pytest.mark.parametrize("args, env, code, message", [
    (["api-key", "create", "x", "--clearance", "SECRET"], {}, 2, "'SECRET' is not one of 'U', 'C', 'S', 'TS'"),
    (["api-key", "create", "Not A Principal", "--clearance", "U"], {}, 1, "principal: expected lower-case"),
    (["api-key", "revoke", "ffffffff"], {}, 1, "key id: no key 'ffffffff'"),
    (["api-key", "create", "x", "--clearance", "U"], {"DATAOPS_API_KEYS": '{"keys": []}'}, 1,
     "DATAOPS_API_KEYS is set: the keys come from it"),
    (["api-key", "list"], {"DATAOPS_API_KEYS": "{not json"}, 1, "DATAOPS_API_KEYS: not valid JSON"),
    (["serve", "--port", "1"], {"DATAOPS_API_KEYS": '{"keys": "all"}'}, 1,
     'DATAOPS_API_KEYS: expected an object with a "keys" list'),
    (["sql", "-q", "select * from dataproducts.no_such_product"], {}, 1, "query: Catalog Error"),
    (["sql", "-q", "select * from read_csv('/etc/passwd')"], {}, 0, None),  # the caller's own files: not ours
])
def test_bad_arguments_are_one_line(home, args, env, code, message):
    result = run(home, *args, env=env)
    assert result.exit_code == code, result.output
    if message:
        errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1 and message in errors[0], result.output


def test_sql_answers_the_quicksight_query_over_masked_views(home, tmp_path):
    result = run(home, "sql", "--query", QUICKSIGHT)
    assert result.exit_code == 0, result.output
    assert "total_revenue" in result.stdout and "europe" in result.stdout
    piped = run(home, "sql", stdin="select count(*) as n from dataproducts.mission_logistics;\n"
                                   "select email from dataproducts.customer_360_v2 limit 3;")
    assert piped.exit_code == 0 and "tok_" in piped.stdout and "@" not in piped.stdout
    export = tmp_path / "products.duckdb"
    exported = run(home, "sql", "--export", str(export))
    assert exported.exit_code == 0 and "views in schema dataproducts" in exported.stdout
    with duckdb.connect(str(export), read_only=True) as con:
        names = {r[0] for r in con.execute("select view_name from duckdb_views() where schema_name = 'dataproducts'").fetchall()}
        assert {"sales_daily_metrics", "sales_daily_region_metrics", "mission_logistics", "customer_360_v2"} <= names
        assert con.execute(QUICKSIGHT).fetchall()
        assert all(e.startswith("tok_") for (e,) in con.execute("select email from dataproducts.customer_360_v2").fetchall())
    assert run(home, "sql", "--export", str(tmp_path / "missing" / "x.duckdb")).exit_code == 1
