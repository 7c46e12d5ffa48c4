"""A publisher killed with SIGKILL at any moment leaves `current` at a complete version, old or new
(the snapshot store's unit tests cover each step of a publication; this kills real ones).

The worker publishes the real warehouse's models over and over, exactly as the publish assets
do; the test kills it at random moments, then reads what `current` names and publishes again.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dataops_assets.publish.records import current_files, current_publication, versions

WORKER = """
import sys, duckdb
from pathlib import Path
from dataops_assets.publish.snapshots import publish_snapshot
import datetime as dt
warehouse, published, model = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
con = duckdb.connect(warehouse, read_only=True)
while True:
    if model == "customer_360":
        publish_snapshot(con, published, "customer_360", "customer_360", "select * from main.customer_360",
                         run_id="worker", keep=3)
    else:
        publish_snapshot(con, published, "sales_daily_metrics", "sales_daily_metrics",
                         "select * from main.sales_daily_metrics", run_id="worker", keep=3,
                         partition_column="sales_date", partition_window=(dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
"""
CASES = [("customer_360", "customer_360"), ("sales_daily_metrics", "sales_daily_metrics")]


@pytest.fixture
def home(defect_baseline, tmp_path) -> Path:
    copy = tmp_path / "home"
    copy.mkdir()
    shutil.copy(defect_baseline / "warehouse.duckdb", copy / "warehouse.duckdb")
    shutil.copytree(defect_baseline / "published", copy / "published")
    return copy


def readable_rows(files: list[Path]) -> int:
    with duckdb.connect() as con:
        return sum(con.execute("select count(*) from read_parquet(?)", [str(f)]).fetchone()[0] for f in files)


@pytest.mark.parametrize(("product", "model"), CASES)
def test_sigkill_while_publishing_never_leaves_a_partial_current(home, product, model):
    rng = random.Random(f"{product}-{model}")
    warehouse = str(home / "warehouse.duckdb")
    with duckdb.connect(warehouse, read_only=True) as con:
        expected = con.execute(f"select count(*) from main.{model}").fetchone()[0]
    for _ in range(5):
        first = max(versions(home / "published", product, model))
        worker = subprocess.Popen([sys.executable, "-c", WORKER, warehouse, str(home / "published"), model],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while max(versions(home / "published", product, model)) <= first + 1:  # it is publishing in a loop
                assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the worker published nothing within 60 s"
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.3))
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
        publication = current_publication(home / "published", product, model)
        assert publication.version > first
        assert publication.rows == expected == readable_rows(current_files(publication))
    # The next publication cleans up whatever the killed ones left half-written.
    from dataops_assets.publish.snapshots import publish_snapshot

    partitioned = {"partition_column": "sales_date", "partition_window": (dt.date(2000, 1, 1), dt.date(2100, 1, 1))}
    with duckdb.connect(warehouse, read_only=True) as con:
        last = publish_snapshot(con, home / "published", product, model, f"select * from main.{model}", run_id="after",
                                **(partitioned if model == "sales_daily_metrics" else {}))
    assert current_publication(home / "published", product, model).version == last.version
    assert not [p for p in (home / "published" / product / model).iterdir() if ".tmp-" in p.name]
