"""The run model on real dbt + Dagster + DuckDB: partitioned incremental builds, single-run
backfills, and write-audit-publish (a failed `error` check leaves the published version current).

Each test works on its own copy of the session's defect baseline (every partition built and
published once, v=1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest

from dataops_assets.publish.records import current_files, current_publication
from tests.sandbox import (
    TEST_END, check_metadata, copy_home, latest_materialization_run, materialize, published_version, rewrite_landing,
    warehouse_scalar,
)

DAY = (TEST_END.date() - dt.timedelta(days=3)).isoformat()
PUBLISHED = Path("published")
# One fingerprint per sales day: every column of every row, in a fixed order.
SALES_BY_DAY = """
    select sales_date::varchar, md5(string_agg(t::varchar, '|' order by region, product_id))
    from main.sales_daily_metrics as t group by 1"""


@pytest.fixture
def home(defect_baseline, tmp_path) -> Path:
    return copy_home(defect_baseline, tmp_path / "home")


def warehouse_rows(home: Path, sql: str) -> dict:
    import duckdb

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return dict(con.execute(sql).fetchall())


def file_digests(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file of a published version."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_daily_partition_run_rewrites_only_that_partition(home):
    before_warehouse = warehouse_rows(home, SALES_BY_DAY)
    v1 = current_publication(home / PUBLISHED, "sales_daily_metrics", "sales_daily_metrics")
    # That day's transactions change: its partition must change, and nothing else.
    rewrite_landing(home, "pos", "transactions", f"""
        select * replace (case when cast(transaction_ts as date) = date '{DAY}' then amount * 2 else amount end as amount)
        from landing""")

    result = materialize(home, select="tag:partitions=daily", partition=DAY)
    assert result.returncode == 0, result.output[-3000:]

    after_warehouse = warehouse_rows(home, SALES_BY_DAY)
    assert after_warehouse[DAY] != before_warehouse[DAY]
    assert {d: f for d, f in after_warehouse.items() if d != DAY} == {d: f for d, f in before_warehouse.items() if d != DAY}
    v2 = current_publication(home / PUBLISHED, "sales_daily_metrics", "sales_daily_metrics")
    assert (v2.version, v2.partitions_written, v2.run_id) == (2, (DAY,), next(iter(result.run_ids)))
    old, new = file_digests(v1.path), file_digests(v2.path)
    changed = {name for name in old if name in new and old[name] != new[name]}
    assert changed == {f"sales_date={DAY}/data_0.parquet", "_publication.json"}
    assert set(old) == set(new)
    assert v2.rows == v1.rows and v2.partition_rows == v1.partition_rows
    # The partitioned check read that one partition: rows_checked is the partition's row count.
    rows = warehouse_scalar(home, f"select count(*) from main.sales_daily_metrics where sales_date = date '{DAY}'")
    assert check_metadata(home, "sales_daily_metrics", "sales_date_not_null")["rows_checked"] == rows
    assert v2.partition_rows[DAY] == rows


def test_a_three_day_backfill_is_one_run_and_one_dbt_invocation(home):
    first = (TEST_END.date() - dt.timedelta(days=6)).isoformat()
    last = (TEST_END.date() - dt.timedelta(days=4)).isoformat()
    result = materialize(home, select="tag:partitions=daily", partition_range=f"{first}...{last}")
    assert result.returncode == 0, result.output[-3000:]
    assert len(result.run_ids) == 1
    assert result.output.count("Running dbt command") == 1
    [run_id] = result.run_ids
    assert latest_materialization_run(home, "sales_daily_region_metrics") == run_id
    rows = warehouse_scalar(home, f"select count(*) from main.sales_daily_region_metrics "
                                  f"where sales_date between date '{first}' and date '{last}'")
    assert check_metadata(home, "sales_daily_region_metrics", "sales_date_not_null")["rows_checked"] == rows
    publication = current_publication(home / PUBLISHED, "sales_daily_metrics", "sales_daily_region_metrics")
    assert publication.partitions_written == tuple(
        (dt.date.fromisoformat(first) + dt.timedelta(days=i)).isoformat() for i in range(3))


def test_a_failed_error_check_keeps_the_published_versions_of_the_model_and_its_consumers(home):
    before = {m: file_digests(current_publication(home / PUBLISHED, p, m).path)
              for p, m in (("customer_360", "customer_360"), ("revenue_analytics", "revenue_monthly"))}
    clean = home.parent / "clean-customers"
    shutil.copytree(home / "landing" / "crm" / "customers", clean)
    rewrite_landing(home, "crm", "customers", """
        select * replace (case when row_number() over () <= 4 then 'not-an-email' else email end as email) from landing""")
    month = TEST_END.date().replace(day=1).isoformat()

    unpartitioned = materialize(home, select="tag:partitions=none")
    monthly = materialize(home, select="tag:partitions=monthly", partition=month)
    assert unpartitioned.returncode != 0 and monthly.returncode != 0
    assert "revenue_monthly: not published, the previous version stays current" in monthly.output
    # The warehouse holds the new rows; consumers still read the previous versions, unchanged.
    assert warehouse_scalar(home, "select count(*) from main.customer_360_unmasked where email = 'not-an-email'") == 4
    assert latest_materialization_run(home, "revenue_monthly") in monthly.run_ids
    for (product, model), digests in zip((("customer_360", "customer_360"), ("revenue_analytics", "revenue_monthly")),
                                         before.values()):
        assert published_version(home, product, model) == 1
        assert file_digests(current_publication(home / PUBLISHED, product, model).path) == digests

    shutil.rmtree(home / "landing" / "crm" / "customers")
    shutil.copytree(clean, home / "landing" / "crm" / "customers")
    assert materialize(home, select="tag:partitions=none").returncode == 0
    assert materialize(home, select="tag:partitions=monthly", partition=month).returncode == 0
    assert published_version(home, "customer_360", "customer_360") == 2
    republished = current_publication(home / PUBLISHED, "revenue_analytics", "revenue_monthly")
    assert (republished.version, republished.partitions_written) == (2, (month,))
    assert any(c["check"] == "pii_leak" and c["passed"]
               for c in current_publication(home / PUBLISHED, "customer_360", "customer_360").checks)
    # Every file of a version reads back whole.
    assert sum(warehouse_scalar(home, f"select count(*) from read_parquet('{f}')")
               for f in current_files(republished)) == republished.rows


def test_published_files_carry_the_spec_masking_never_raw_pii(defect_baseline):
    import duckdb

    from dataops_assets.catalog.products import load_products
    from tests.sandbox import project_manifest

    product = load_products(project_manifest())["customer_360"]
    masking = product.pii_masking("customer_360_v2")
    assert masking, "customer_360_v2 declares PII fields"
    publication = current_publication(defect_baseline / PUBLISHED, "customer_360", "customer_360_v2")
    files = [str(f) for f in current_files(publication)]
    with duckdb.connect() as con:
        raw = {c: {r[0] for r in con.execute(
            f"select distinct cast({c} as varchar) from read_parquet('{defect_baseline}/landing/crm/customers/*.parquet')"
            f" where {c} is not null").fetchall()} for c in masking}
        for column in masking:
            published = {r[0] for r in con.execute(
                f"select distinct cast({column} as varchar) from read_parquet(?, hive_partitioning = false)",
                [files]).fetchall()}
            assert published and raw[column] and not published & raw[column], column
        emails = [r[0] for r in con.execute("select email from read_parquet(?, hive_partitioning = false) limit 5",
                                             [files]).fetchall()]
    assert all(e.startswith("tok_") and len(e) == 20 for e in emails), emails  # tokenize: tok_ + 16 hex digits
    # The public model masks in the warehouse too; only the private model it reads keeps the raw values.
    assert warehouse_scalar(defect_baseline, "select count(*) from main.customer_360_v2 where email like '%@%'") == 0
    assert warehouse_scalar(defect_baseline, "select count(*) from main.customer_360_unmasked where email like '%@example%'") > 0


def test_publishing_without_building_in_the_same_run_is_refused(home):
    result = materialize(home, select="published_customer_360")
    assert result.returncode != 0
    assert "customer_360: not built in this run" in result.output
    assert published_version(home, "customer_360", "customer_360") == 1


def test_building_without_a_masking_key_is_refused_in_one_line(home):
    before = file_digests(current_publication(home / PUBLISHED, "customer_360", "customer_360").path)
    masked = warehouse_scalar(home, "select md5(string_agg(email, ',' order by customer_id)) from main.customer_360")
    (home / "masking.key").unlink()
    result = materialize(home, select="customer_360_unmasked,customer_360,published_customer_360", masking_key=False)
    assert result.returncode != 0
    assert (f"masking key: not set; expected DATAOPS_MASKING_KEY or the file {home / 'masking.key'} (`make instance` "
            "creates one); nothing was built (customer_360 masks PII with it)") in result.output
    assert masked == warehouse_scalar(home, "select md5(string_agg(email, ',' order by customer_id)) from main.customer_360")
    assert published_version(home, "customer_360", "customer_360") == 1
    assert file_digests(current_publication(home / PUBLISHED, "customer_360", "customer_360").path) == before
