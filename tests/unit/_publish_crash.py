"""Publish two models over and over until killed: test_publish_snapshots SIGKILLs it at random moments.

    python _publish_crash.py <published_dir> <rows>

`sales/orders` is unpartitioned; `sales/orders_daily` rewrites one of three days at a time, so
most publications carry the other two days over. Both always hold <rows> rows.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb

from dataops_assets.publish.snapshots import current_publication, publish_snapshot

FIRST_DAY = dt.date(2026, 11, 1)
DAYS = 3


def main(published_dir: Path, rows: int) -> None:
    con = duckdb.connect()
    con.execute(f"create table orders as select date '{FIRST_DAY}' + (i % {DAYS})::int as day, i as id, "
                f"random() as amount from range({rows}) r(i)")
    if current_publication(published_dir, "sales", "orders_daily") is None:
        publish_snapshot(con, published_dir, "sales", "orders_daily", "select * from orders", run_id="worker-0",
                         partition_column="day", partition_window=(FIRST_DAY, FIRST_DAY + dt.timedelta(days=DAYS)))
    round_ = 0
    while True:
        round_ += 1
        publish_snapshot(con, published_dir, "sales", "orders",
                         f"select day, id, amount + {round_} as amount from orders", run_id=f"worker-{round_}", keep=3)
        day = FIRST_DAY + dt.timedelta(days=round_ % DAYS)
        publish_snapshot(con, published_dir, "sales", "orders_daily",
                         f"select day, id, amount + {round_} as amount from orders where day = date '{day}'",
                         run_id=f"worker-{round_}", keep=3,
                         partition_column="day", partition_window=(day, day + dt.timedelta(days=1)))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
