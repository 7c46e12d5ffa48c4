"""Unit tests for the synthetic landing-zone generator (small scales, tmp folders)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pytest

from dataops_assets.sources import landing_writer
from dataops_assets.sources.event_window import Window
from dataops_assets.sources.generator import CUSTOMER_ID_PATTERN, EMAIL_PATTERN, generate_landing
from dataops_assets.sources.landing_tables import row_counts
from dataops_assets.sources.random_columns import Chunk, LandingContext
from dataops_assets.sources.shop_tables import build_order_chunk
from tests.manifest_fixture import fixture_landing

END = dt.date(2024, 3, 31)
DAYS = 60
WINDOW_START = dt.datetime(2024, 2, 1)
WINDOW_END = dt.datetime(2024, 3, 31, 23, 59, 59)
SCALE = 0.005
CONTRACT = fixture_landing()
TABLES = [(table.source, table.name) for table in CONTRACT.values() if table.generator == "sandbox"]
TABLE_SCHEMAS = {table.name: table.columns for table in CONTRACT.values() if table.generator == "sandbox"}
PRIMARY_KEYS = {table.name: table.primary_key for table in CONTRACT.values() if table.generator == "sandbox"}


def _connect(landing: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for source, table in TABLES:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{landing / source / table}/*.parquet')")
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchall()[0][0]


def _violations(con: duckdb.DuckDBPyConnection, relation: str, condition: str) -> int:
    return _one(con, f"SELECT count(*) FROM {relation} WHERE {condition}")


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("gen") / "landing"
    return path, generate_landing(path, CONTRACT, scale=SCALE, seed=7, end_date=END, days=DAYS)


@pytest.fixture(scope="module")
def db(landing: tuple[Path, dict[str, int]]) -> duckdb.DuckDBPyConnection:
    return _connect(landing[0])


def test_every_table_has_the_contract_columns(db: duckdb.DuckDBPyConnection) -> None:
    for _, table in TABLES:
        described = db.execute(f"DESCRIBE {table}").fetchall()
        assert tuple((row[0], row[1]) for row in described) == TABLE_SCHEMAS[table], table


def test_returned_counts_match_files_and_formula(
    landing: tuple[Path, dict[str, int]], db: duckdb.DuckDBPyConnection
) -> None:
    _, counts = landing
    assert list(counts) == [f"{s}/{t}" for s, t in TABLES]
    for source, table in TABLES:
        assert counts[f"{source}/{table}"] == _one(db, f"SELECT count(*) FROM {table}") > 0
    assert counts["pos/transactions"] == 5_000 and counts["crm/customers"] == 500
    assert counts["catalog/products"] == 50 and counts["procurement/contracts"] == 60
    assert counts["meteo/weather"] == 5 * DAYS and counts["shop/returns"] == 100
    assert 2_150 < counts["shop/payments"] < 2_400  # ~1.13 per order: attempts and refunds


def test_same_args_same_rows_other_seed_other_rows(tmp_path: Path) -> None:
    args = {"scale": 0.002, "end_date": END, "days": 30}
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        generate_landing(tmp_path / name / "landing", CONTRACT, seed=seed, **args)
    a, b, c = (_connect(tmp_path / name / "landing") for name in "abc")
    for table in ("transactions", "customers", "assignments", "spend", "weather"):
        order = ", ".join(PRIMARY_KEYS[table])
        rows_a = a.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        assert rows_a == b.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall(), table
        assert rows_a != c.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall(), table
    truth = [(tmp_path / name / "ground_truth" / "procurement_spend_anomalies.parquet").read_bytes() for name in "abc"]
    assert truth[0] == truth[1] != truth[2]


def test_customer_ids_emails_and_primary_keys(db: duckdb.DuckDBPyConnection) -> None:
    assert _violations(db, "customers", f"NOT regexp_full_match(customer_id, '{CUSTOMER_ID_PATTERN}')") == 0
    assert _violations(db, "customers", f"NOT regexp_full_match(email, '{EMAIL_PATTERN}')") == 0
    assert _one(db, "SELECT count(*) - count(DISTINCT email) FROM customers") == 0
    for _, table in TABLES:
        key = ", ".join(PRIMARY_KEYS[table])
        assert _one(db, f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}") == 0, table
        assert _one(db, f"SELECT count(*) FROM {table} WHERE ({key}) IS NULL") == 0, table
    assert _one(db, "SELECT count(*) - count(DISTINCT invoice_number) FROM spend") == 0
    assert _one(db, "SELECT count(*) - count(DISTINCT serial_number) FROM equipment") == 0
    assert _violations(db, "transactions", "NOT regexp_full_match(transaction_id, 'TXN-[0-9]{12}')") == 0


FOREIGN_KEYS = [
    ("transactions", "customer_id", "customers", "customer_id"),
    ("transactions", "product_id", "products", "product_id"),
    ("orders", "customer_id", "customers", "customer_id"),
    ("orders", "product_id", "products", "product_id"),
    ("returns", "order_id", "orders", "order_id"),
    ("payments", "order_id", "orders", "order_id"),
    ("support_tickets", "customer_id", "customers", "customer_id"),
    ("assignments", "equipment_id", "equipment", "equipment_id"),
    ("maintenance", "equipment_id", "equipment", "equipment_id"),
    ("contracts", "vendor_id", "vendors", "vendor_id"),
    ("spend", "vendor_id", "vendors", "vendor_id"),
    ("spend", "contract_id", "contracts", "contract_id"),
]


@pytest.mark.parametrize(("child", "fk", "parent", "pk"), FOREIGN_KEYS)
def test_foreign_keys_exist_in_parent(db: duckdb.DuckDBPyConnection, child: str, fk: str, parent: str, pk: str) -> None:
    assert _violations(db, child, f"{fk} IS NOT NULL AND {fk} NOT IN (SELECT {pk} FROM {parent})") == 0


def test_dependent_rows_agree_with_their_parents(db: duckdb.DuckDBPyConnection) -> None:
    bad_returns = """SELECT count(*) FROM returns r JOIN orders o USING (order_id)
        WHERE r.product_id <> o.product_id OR r.quantity > o.quantity OR r.quantity < 1
           OR r.refund_amount > o.amount OR r.refund_amount <= 0 OR r.return_ts <= o.order_ts
           OR o.status NOT IN ('completed', 'refunded')"""
    assert _one(db, bad_returns) == 0
    paid = "payments p JOIN orders o USING (order_id)"
    assert _violations(db, paid, "p.payment_ts < o.order_ts OR p.amount <= 0 OR p.amount > o.amount") == 0
    assert _violations(db, paid, "p.status <> 'refunded' AND p.amount <> o.amount") == 0
    assert _violations(db, "orders", "order_id NOT IN (SELECT order_id FROM payments)") == 0
    spent = "spend s JOIN contracts c USING (contract_id)"
    assert _violations(db, spent, "s.vendor_id <> c.vendor_id OR s.category <> c.category") == 0
    assert _violations(db, spent, "s.spend_date NOT BETWEEN c.start_date AND c.end_date") == 0
    assert 0.015 < _one(db, "SELECT avg((contract_id IS NULL)::INT) FROM spend") < 0.07
    assert _violations(db, "contracts", "end_date <= start_date") == 0
    assert _violations(db, "products", "list_price <= unit_cost OR unit_cost <= 0") == 0
    txn_amount = "amount <> round(quantity * unit_price * (1 - discount_pct), 2) OR amount <= 0"
    assert _violations(db, "transactions", txn_amount) == 0
    assert _violations(db, "orders", "amount <> round(quantity * unit_price, 2)") == 0
    sold = "transactions t JOIN products p USING (product_id)"
    assert _violations(db, sold, "t.unit_price <> p.list_price") == 0


def test_each_order_has_its_payments_and_at_most_one_refund(db: duckdb.DuckDBPyConnection) -> None:
    per_order = """(SELECT o.order_id, o.status, o.amount,
            count(*) FILTER (WHERE p.status = 'captured') AS captured,
            count(*) FILTER (WHERE p.status = 'failed') AS failed,
            count(*) FILTER (WHERE p.status = 'refunded') AS refunds,
            max(p.payment_ts) FILTER (WHERE p.status = 'captured') AS captured_ts,
            min(p.payment_ts) FILTER (WHERE p.status = 'refunded') AS refund_ts,
            (SELECT count(*) FROM returns r WHERE r.order_id = o.order_id) AS returns
        FROM orders o JOIN payments p USING (order_id) GROUP BY ALL)"""
    assert _violations(db, per_order, "status = 'cancelled' AND (failed <> 1 OR captured + refunds > 0)") == 0
    assert _violations(db, per_order, "status <> 'cancelled' AND (captured <> 1 OR failed > 1)") == 0
    assert _violations(db, per_order, "refunds > 1 OR returns > 1 OR refund_ts < captured_ts") == 0
    assert _violations(db, per_order, "status = 'refunded' AND refunds <> 1") == 0
    assert _violations(db, per_order, "status IN ('completed', 'pending') AND refunds <> returns") == 0
    assert 0.3 < _one(db, f"SELECT avg(failed) FROM {per_order} WHERE status <> 'cancelled'") * 20 < 2


def test_every_refund_is_recorded_once_with_the_same_amount(db: duckdb.DuckDBPyConnection) -> None:
    refunds = "(SELECT * FROM payments WHERE status = 'refunded')"
    refunded_orders = f"orders o LEFT JOIN {refunds} p USING (order_id)"
    assert _violations(db, refunded_orders, "o.status = 'refunded' AND p.amount IS DISTINCT FROM o.amount") == 0
    returned = f"returns r LEFT JOIN {refunds} p USING (order_id)"
    assert _violations(db, returned, "p.amount IS DISTINCT FROM r.refund_amount OR p.payment_ts < r.return_ts") == 0
    whole = "returns r JOIN orders o USING (order_id)"
    assert _violations(db, whole, "o.status = 'refunded' AND (r.quantity <> o.quantity OR r.refund_amount <> o.amount)") == 0
    assert _one(db, "SELECT count(*) FROM returns r JOIN orders o USING (order_id) WHERE o.status = 'refunded'") > 0
    with_return = "SELECT avg((order_id IN (SELECT order_id FROM returns))::INT) FROM orders WHERE status = 'refunded'"
    assert _one(db, with_return) < 0.5  # refunded orders mostly have no return row


def test_payment_and_return_ids_stay_unique_across_order_chunks() -> None:
    ctx = LandingContext(seed=3, scale=0.01, window=Window.ending_at(END, 30), rows=row_counts(0.01, 30))
    orders = ctx.rows["orders"]
    chunks = [build_order_chunk(ctx, Chunk(i, start, min(start + 1_500, orders)))
              for i, start in enumerate(range(0, orders, 1_500))]
    for table in ("orders", "returns", "payments"):
        keys = np.concatenate([chunk[table]["_num"] for chunk in chunks])
        assert len(chunks) == 3 and np.unique(keys).size == keys.size, table


EVENT_COLUMNS = [
    ("transactions", "transaction_ts"), ("orders", "order_ts"), ("returns", "return_ts"),
    ("payments", "payment_ts"), ("support_tickets", "opened_ts"), ("support_tickets", "closed_ts"),
    ("equipment", "last_ping_ts"), ("assignments", "start_ts"), ("assignments", "end_ts"),
    ("maintenance", "start_ts"), ("maintenance", "end_ts"), ("weather", "observed_date"),
]
SPEND_HISTORY_START = dt.datetime(2022, 10, 9)  # 540 days of spend, whatever the window


@pytest.mark.parametrize(("table", "column"), EVENT_COLUMNS)
def test_event_times_inside_window(db: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    low, high = db.execute(f"SELECT min({column})::TIMESTAMP, max({column})::TIMESTAMP FROM {table}").fetchall()[0]
    assert WINDOW_START <= low <= high <= WINDOW_END


def test_spend_covers_its_own_history(db: duckdb.DuckDBPyConnection) -> None:
    low, high = db.execute("SELECT min(spend_date)::TIMESTAMP, max(spend_date)::TIMESTAMP FROM spend").fetchall()[0]
    assert SPEND_HISTORY_START <= low <= high <= WINDOW_END


INSTANT_END = dt.datetime(2024, 3, 31, 10, 30, 15)
# Columns that may hold times before the window but, like the events, none after its end.
HISTORY_COLUMNS = [
    ("customers", "customer_since"), ("customers", "created_at"), ("customers", "updated_at"),
    ("products", "launched_on"), ("equipment", "commissioned_on"), ("vendors", "onboarded_on"),
    ("contracts", "start_date"), ("spend", "spend_date"),
]


@pytest.fixture(scope="module")
def db_ending_at_an_instant(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    path = tmp_path_factory.mktemp("instant") / "landing"
    generate_landing(path, CONTRACT, scale=0.002, seed=7, end_date=INSTANT_END, days=30)
    return _connect(path)


def test_no_event_after_a_datetime_end(db_ending_at_an_instant: duckdb.DuckDBPyConnection) -> None:
    db, start = db_ending_at_an_instant, dt.datetime(2024, 3, 2)
    for table, column in EVENT_COLUMNS + HISTORY_COLUMNS:
        low, high = db.execute(f"SELECT min({column})::TIMESTAMP, max({column})::TIMESTAMP FROM {table}").fetchall()[0]
        assert high <= INSTANT_END, (table, column)
        assert low >= start or (table, column) in HISTORY_COLUMNS, (table, column)
    assert _one(db, "SELECT max(last_ping_ts) FROM equipment") == INSTANT_END
    # Live feeds: the newest record is the window's last second, whatever the scale (timeliness
    # expectations judge it against the freshness SLO).
    for table, column in (("transactions", "transaction_ts"), ("orders", "order_ts"), ("customers", "updated_at")):
        assert _one(db, f"SELECT max({column})::TIMESTAMP FROM {table}") == INSTANT_END, table
    assert _one(db, "SELECT count(DISTINCT observed_date) FROM weather") == 30


def test_newest_rows_are_on_end_date_and_intervals_are_ordered(db: duckdb.DuckDBPyConnection) -> None:
    for table, column in (("transactions", "transaction_ts"), ("orders", "order_ts"), ("spend", "spend_date")):
        assert _one(db, f"SELECT max({column})::DATE FROM {table}") == END, table
    assert _one(db, "SELECT min(observed_date) FROM weather") == WINDOW_START.date()
    assert _one(db, "SELECT max(last_ping_ts) FROM equipment") == WINDOW_END
    still_open = "status IN ('open', 'pending') AND (closed_ts IS NOT NULL OR csat_score IS NOT NULL)"
    assert _violations(db, "support_tickets", f"closed_ts < opened_ts OR ({still_open})") == 0
    for table in ("assignments", "maintenance"):
        assert _violations(db, table, "end_ts < start_ts") == 0
    late = f"updated_at > TIMESTAMP '{WINDOW_END}' OR customer_since > DATE '{END}'"
    assert _violations(db, "customers", f"updated_at < created_at OR {late}") == 0


def test_equipment_has_at_most_one_open_activity_and_no_overlaps(db: duckdb.DuckDBPyConnection) -> None:
    for table in ("assignments", "maintenance"):
        open_per_equipment = f"SELECT count(*) n FROM {table} WHERE end_ts IS NULL GROUP BY equipment_id"
        assert _one(db, f"SELECT max(n) FROM ({open_per_equipment})") == 1, table
    ongoing = _one(db, "SELECT count(DISTINCT equipment_id) FROM assignments WHERE end_ts IS NULL")
    assert abs(ongoing - 0.35 * _one(db, "SELECT count(*) FROM equipment")) <= 1
    for table in ("assignments", "maintenance"):
        previous_end = f"""(SELECT start_ts, lag(coalesce(end_ts, TIMESTAMP '9999-01-01'))
            OVER (PARTITION BY equipment_id ORDER BY start_ts) AS prev_end FROM {table})"""
        assert _violations(db, previous_end, "start_ts < prev_end") == 0, table
    both = """(SELECT equipment_id FROM assignments WHERE end_ts IS NULL
        INTERSECT SELECT equipment_id FROM maintenance WHERE end_ts IS NULL)"""
    assert _violations(db, both, "true") >= 1


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"scale": 0}, "scale"), ({"scale": -1.0}, "scale"), ({"scale": float("nan")}, "scale"),
    ({"days": 0}, "days"), ({"seed": -3}, "seed"),
])
def test_bad_arguments_raise_value_error_naming_the_parameter(tmp_path: Path, kwargs: dict, name: str) -> None:
    args = {"landing_dir": tmp_path, "contract": CONTRACT, "scale": 0.001, "seed": 1, "end_date": END, "days": 30} | kwargs
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        generate_landing(**args)
    assert not any(tmp_path.iterdir())


def test_rerun_replaces_table_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing = tmp_path / "landing"
    monkeypatch.setattr(landing_writer, "CHUNK_ROWS", 1_000)
    generate_landing(landing, CONTRACT, scale=0.004, seed=3, end_date=END, days=30)
    folder = landing / "pos" / "transactions"
    assert sorted(p.name for p in folder.iterdir()) == [f"part-{i:04d}.parquet" for i in range(4)]
    (landing / "crm" / "customers" / "stray.txt").write_text("old")
    monkeypatch.undo()
    counts = generate_landing(landing, CONTRACT, scale=0.004, seed=3, end_date=END, days=30)
    assert [p.name for p in folder.iterdir()] == ["part-0000.parquet"]
    assert [p.name for p in (landing / "crm" / "customers").iterdir()] == ["part-0000.parquet"]
    assert not list(tmp_path.rglob(".*"))  # no temp folders or files left behind
    assert _one(_connect(landing), "SELECT count(*) FROM transactions") == counts["pos/transactions"] == 4_000


def test_row_counts_scale(tmp_path: Path) -> None:
    small = generate_landing(tmp_path / "s" / "landing", CONTRACT, scale=0.002, seed=5, end_date=END, days=30)
    large = generate_landing(tmp_path / "l" / "landing", CONTRACT, scale=0.004, seed=5, end_date=END, days=30)
    assert large["pos/transactions"] == 2 * small["pos/transactions"] == 4_000
    assert large["shop/orders"] == 2 * small["shop/orders"]
    assert (small["crm/customers"], large["crm/customers"]) == (200, 400)
    assert small["meteo/weather"] == large["meteo/weather"] == 150
