"""The scale-out proof, on real dbt-spark (local session) + Dagster: every product built, checked and
published on Apache Spark from the same landing data as a DuckDB build, equal to it to the cent; and the
run model on Spark: a daily partition run rewrites that partition only, a failed `error` check publishes
nothing.

The `spark` group (`make test-spark`, `pytest -m spark`): it needs the spark extra and Java 17 or 21, and
is skipped with the reason when either is missing. `make test` leaves it out and says so.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import shutil
import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from dataops_assets.dbt.spark import spark_unavailable
from dataops_assets.publish.records import current_files, current_publication
from dataops_assets.sql_text import published_files, quote
from tests.sandbox import (
    TEST_END, VENV_BIN, check_evaluation, dataops_env, generate, init_instance, latest_materialization_run, materialize,
    public_models, rewrite_landing,
)

UNAVAILABLE = spark_unavailable()
pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(UNAVAILABLE is not None, reason=f"spark group skipped: {UNAVAILABLE}")]
TARGETS = ("duckdb", "spark")
DAY = (TEST_END.date() - dt.timedelta(days=3)).isoformat()
EXACT = ("DECIMAL", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
FLOATING = ("DOUBLE", "FLOAT")


@pytest.fixture(scope="module")
def homes(tmp_path_factory) -> dict[str, Path]:
    """One home per target holding the same landing files and masking key, each materialized whole
    (`dataops materialize --partition-range all`, both at once)."""
    source = tmp_path_factory.mktemp("landing")
    generate(source)
    init_instance(source)
    homes = {}
    for target in TARGETS:
        home = homes[target] = tmp_path_factory.mktemp(target)
        shutil.copytree(source / "landing", home / "landing")
        shutil.copy2(source / "masking.key", home / "masking.key")
    with concurrent.futures.ThreadPoolExecutor(len(TARGETS)) as pool:
        results = dict(zip(TARGETS, pool.map(lambda t: materialize(homes[t], target=t), TARGETS)))
    for target, result in results.items():
        assert result.returncode == 0, f"{target}: {result.output[-4000:]}"
    return homes


def published(home: Path) -> dict[str, Path]:
    """model -> its current version's folder, for every model published under `home`."""
    found = {}
    for model_dir in sorted((home / "published").glob("*/*")):
        found[model_dir.name] = current_publication(home / "published", model_dir.parent.name, model_dir.name)
    return found


def fingerprint(publication) -> dict[str, object]:
    """What a consumer reads of a version, summed per column: row count, each column's type, exact sums of
    decimals and integers, sums of floating columns to the cent, and a digest of every other column's values."""
    relation = published_files(current_files(publication))
    with duckdb.connect() as con:
        columns = con.execute(f"describe select * from {relation}").fetchall()
        parts, names = ["count(*)"], ["rows"]
        for name, kind, *_ in columns:
            column = quote(name)
            names.append(f"{name} {kind}")
            if kind.startswith(EXACT):
                parts.append(f"sum({column})")
            elif kind.startswith(FLOATING):
                parts.append(f"round(sum({column}), 2)")
            else:
                parts.append(f"md5(string_agg(cast({column} as varchar), '|' order by cast({column} as varchar)))")
        values = con.execute(f"select {', '.join(parts)} from {relation}").fetchone()
    return dict(zip(names, values))


def test_every_product_is_built_checked_and_published_on_spark(homes):
    summary = subprocess.run([str(VENV_BIN / "dataops"), "summary", "--json"], capture_output=True, text=True,
                             env=dataops_env(homes["spark"], target="spark"))
    assert summary.returncode == 0, summary.stderr
    report = json.loads(summary.stdout)
    assert report["warehouse"] == str(homes["spark"] / "spark" / "warehouse")
    for product in report["products"]:
        assert (product["checks_failed"], product["checks_not_run"]) == (0, 0), product
        assert product["checks_passed"] > 0, product
        assert all(m["published_version"] == 1 and m["rows"] for m in product["models"]), product
    assert set(published(homes["spark"])) == public_models()
    # Spark built the tables: no DuckDB warehouse file was written.
    assert not (homes["spark"] / "warehouse.duckdb").exists()
    assert (homes["spark"] / "spark" / "warehouse" / "main.db" / "sales_daily_metrics").is_dir()


def test_every_public_model_equals_the_duckdb_build_to_the_cent(homes):
    duck, spark = published(homes["duckdb"]), published(homes["spark"])
    assert set(duck) == set(spark) == public_models()
    for model in sorted(duck):
        expected, found = fingerprint(duck[model]), fingerprint(spark[model])
        assert found == expected, model
        assert found["rows"] > 0, model
        assert spark[model].partitions_written == duck[model].partitions_written, model


def test_the_run_model_on_spark(homes, tmp_path):
    """Last in the module: it changes the shared Spark home (Spark's catalog names each table by its absolute
    path, so a copy of a home would write into the original's tables)."""
    home = homes["spark"]
    # A failed error check: nothing publishes, the previous version stays current, byte for byte.
    before = digests(current_publication(home / "published", "customer_360", "customer_360").path)
    clean = tmp_path / "customers"
    shutil.copytree(home / "landing" / "crm" / "customers", clean)
    rewrite_landing(home, "crm", "customers", """
        select * replace (case when row_number() over () <= 4 then 'not-an-email' else email end as email) from landing""")

    failed = materialize(home, select="tag:partitions=none", target="spark")

    assert failed.returncode != 0
    # The check read Spark's new rows through the seam and failed; the blocking check stopped publication.
    assert check_evaluation(home, "customer_360_unmasked", "email_match_regex") == (False, "ERROR")
    assert latest_materialization_run(home, "published_customer_360") not in failed.run_ids
    current = current_publication(home / "published", "customer_360", "customer_360")
    assert current.version == 1 and digests(current.path) == before
    shutil.rmtree(home / "landing" / "crm" / "customers")
    shutil.copytree(clean, home / "landing" / "crm" / "customers")

    # A daily partition run reads the landing zone as it is now and rewrites that one partition.
    v1 = current_publication(home / "published", "sales_daily_metrics", "sales_daily_metrics")
    rewrite_landing(home, "pos", "transactions", f"""
        select * replace (case when cast(transaction_ts as date) = date '{DAY}' then amount * 2 else amount end as amount)
        from landing""")

    daily = materialize(home, select="tag:partitions=daily", partition=DAY, target="spark")

    assert daily.returncode == 0, daily.output[-4000:]
    v2 = current_publication(home / "published", "sales_daily_metrics", "sales_daily_metrics")
    assert (v2.version, v2.partitions_written) == (2, (DAY,))
    assert v2.partition_rows == v1.partition_rows
    before_revenue, after_revenue = daily_revenue(v1), daily_revenue(v2)
    assert after_revenue[DAY] == 2 * before_revenue[DAY]
    assert {d: r for d, r in after_revenue.items() if d != DAY} == {d: r for d, r in before_revenue.items() if d != DAY}


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def daily_revenue(publication) -> dict[str, object]:
    with duckdb.connect() as con:
        return dict(con.execute(f"select cast(sales_date as varchar), sum(revenue) from "
                                f"{published_files(current_files(publication))} group by 1").fetchall())
