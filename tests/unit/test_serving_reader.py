"""Reading published snapshots (written by publish_snapshot, as publication writes them): every operator and
sort against the same rows filtered in Python, repeatable pages, versions, and a connection that reads
nothing but the published folders."""

from __future__ import annotations

import datetime as dt
import threading
import time

import duckdb
import pytest

from dataops_assets.publish.snapshots import publish_snapshot
from dataops_assets.serving.query import QueryError, parse_read
from dataops_assets.serving import reader as reader_module
from dataops_assets.serving.reader import NotPublished, SnapshotReader

ROWS = [(dt.date(2026, 11, 1 + n % 5), ["west", "east", "north"][n % 3], round(n * 1.25, 2), n % 4)
        for n in range(60)]


@pytest.fixture(params=["in memory", "from files"], autouse=True)
def where_read(request, monkeypatch):
    """Every test twice: versions loaded into memory (small ones), and read from their files (large ones)."""
    if request.param == "from files":
        monkeypatch.setattr(reader_module, "MEMORY_ROWS", 0)


@pytest.fixture
def published(tmp_path):
    con = duckdb.connect()
    con.execute("create table t (sales_date date, region varchar, revenue decimal(18,2), units bigint)")
    con.executemany("insert into t values (?, ?, ?, ?)", ROWS)
    publish_snapshot(con, tmp_path / "published", "shop", "sales", "select * from t", run_id="r1")
    con.execute("delete from t where region = 'north'")
    publish_snapshot(con, tmp_path / "published", "shop", "sales", "select * from t", run_id="r2")
    reader = SnapshotReader(tmp_path / "published", tmp_path / "restricted", load_in_background=False)
    yield reader
    reader.close()


def rows_of(reader, filters=(), sort=(), limit=1000, offset=0, version=None):
    snapshot = reader.snapshot("shop", "sales", version)
    page = reader.read(snapshot, parse_read(list(filters), list(sort), limit, offset, snapshot.columns))
    return page.total, [(dt.date.fromisoformat(r["sales_date"]), r["region"], r["revenue"], r["units"])
                        for r in page.rows()]


CURRENT = [r for r in ROWS if r[1] != "north"]


@pytest.mark.parametrize("text, keep", [
    ("region:west", lambda r: r[1] == "west"),
    ("region:eq:west", lambda r: r[1] == "west"),
    ("region:ne:west", lambda r: r[1] != "west"),
    ("units:gt:2", lambda r: r[3] > 2),
    ("units:gte:2", lambda r: r[3] >= 2),
    ("revenue:lt:10.5", lambda r: r[2] < 10.5),
    ("revenue:lte:10", lambda r: r[2] <= 10),
    ("sales_date:gte:2026-11-04", lambda r: r[0] >= dt.date(2026, 11, 4)),
    ("units:in:0|3", lambda r: r[3] in (0, 3)),
    ("region:like:%es%", lambda r: "es" in r[1]),
])
def test_every_operator_keeps_the_rows_python_keeps(published, text, keep):
    total, rows = rows_of(published, [text])
    expected = [r for r in CURRENT if keep(r)]
    assert 0 < total == len(expected) < len(CURRENT)
    assert sorted(rows) == sorted(expected)


def test_sort_orders_by_each_key_in_turn(published):
    _, rows = rows_of(published, sort=["region:desc", "revenue:asc"])
    assert rows == sorted(CURRENT, key=lambda r: (-ord(r[1][0]), r[2]))


def test_pages_add_up_to_the_total_and_repeat(published):
    total, everything = rows_of(published, ["units:gte:1"], ["sales_date:asc"])
    pages = [rows_of(published, ["units:gte:1"], ["sales_date:asc"], limit=7, offset=o)[1] for o in range(0, total, 7)]
    assert [r for page in pages for r in page] == everything  # ties broken by file and row: no row twice or lost
    assert rows_of(published, ["units:gte:1"], limit=7, offset=total + 5) == (total, [])


def test_an_older_version_is_read_while_kept_and_an_unknown_one_is_named(published):
    assert rows_of(published, version=1)[0] == len(ROWS)
    assert rows_of(published)[0] == len(CURRENT)
    with pytest.raises(NotPublished, match=r"version: shop/sales has no published version 3; kept: 1, 2"):
        published.snapshot("shop", "sales", 3)
    with pytest.raises(NotPublished, match="nothing published yet"):
        published.snapshot("shop", "other")


def test_a_value_that_is_not_of_the_column_type_is_named(published):
    with pytest.raises(QueryError, match=r"filters: sales_date:gte: value 'soon' is not a DATE"):
        rows_of(published, ["sales_date:gte:soon"])


def test_hostile_values_match_nothing_and_change_nothing(published, tmp_path):
    before = sorted(p.name for p in (tmp_path / "published").rglob("*"))
    for value in ["west' or '1'='1", "west'; drop table t; --", "') union select 1,2,3,4 --"]:
        assert rows_of(published, [f"region:{value}"]) == (0, [])
    assert sorted(p.name for p in (tmp_path / "published").rglob("*")) == before


def test_the_connection_reads_nothing_outside_the_published_folders(published, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(duckdb.PermissionException):
        published.sql(f"select * from read_csv('{secret}')")
    with pytest.raises(duckdb.Error):
        published.sql("set enable_external_access = true")


@pytest.fixture
def partitioned(tmp_path):
    con = duckdb.connect()
    con.execute("create table t (sales_date date, region varchar, revenue decimal(18,2), units bigint)")
    con.executemany("insert into t values (?, ?, ?, ?)", ROWS)
    publish_snapshot(con, tmp_path / "published", "shop", "sales", "select * from t", run_id="r1",
                     partition_column="sales_date", partition_window=(dt.date(2026, 11, 1), dt.date(2026, 11, 6)))
    reader = SnapshotReader(tmp_path / "published", tmp_path / "restricted", load_in_background=False)
    yield reader
    reader.close()


@pytest.mark.parametrize("filters, keep", [
    (["sales_date:2026-11-03"], lambda r: r[0] == dt.date(2026, 11, 3)),
    (["sales_date:gt:2026-11-03", "region:west"], lambda r: r[0] > dt.date(2026, 11, 3) and r[1] == "west"),
    (["sales_date:lte:2026-11-02"], lambda r: r[0] <= dt.date(2026, 11, 2)),
    (["sales_date:in:2026-11-01|2026-11-05"], lambda r: r[0] in (dt.date(2026, 11, 1), dt.date(2026, 11, 5))),
    (["sales_date:gte:2027-01-01"], lambda r: False),
])
def test_a_filter_on_the_partition_day_reads_only_its_days_and_finds_the_same_rows(partitioned, filters, keep):
    snapshot = partitioned.snapshot("shop", "sales")
    assert len(snapshot.partitions) == 5
    total, rows = rows_of(partitioned, filters, ["revenue:asc"])
    expected = sorted((r for r in ROWS if keep(r)), key=lambda r: r[2])
    assert (total, rows) == (len(expected), expected)


def test_a_bad_day_is_named_even_when_no_partition_is_read(partitioned):
    with pytest.raises(QueryError, match=r"filters: sales_date:gte: value 'someday' is not a DATE"):
        rows_of(partitioned, ["sales_date:gte:someday"])


def test_one_version_per_model_is_held_in_memory(published):
    for version in (1, 2, 1, 2):
        assert rows_of(published, ["units:gte:0"], limit=1001, version=version)[0] == (len(ROWS) if version == 1 else len(CURRENT))
    tables = published.sql("select count(*) from duckdb_tables() where table_name like 'snapshot_%'")[0][0]
    assert tables == (1 if reader_module.MEMORY_ROWS else 0)


def test_at_most_loaded_versions_are_held_least_recent_dropped(published, tmp_path, monkeypatch):
    monkeypatch.setattr(reader_module, "LOADED_VERSIONS", 1)
    with duckdb.connect() as con:
        publish_snapshot(con, tmp_path / "published", "shop", "other", "select 1 as n from range(7)", run_id="r")
    other = published.snapshot("shop", "other")
    for _ in range(2):
        assert rows_of(published, ["units:gte:0"], limit=1001)[0] == len(CURRENT)
        assert published.read(other, parse_read(["n:1"], [], 1001, 0, other.columns)).total == 7
    tables = published.sql("select count(*) from duckdb_tables() where table_name like 'snapshot_%'")[0][0]
    assert tables == (1 if reader_module.MEMORY_ROWS else 0)


def test_a_clustered_copy_gives_the_pages_the_files_give(published):
    plain = published.snapshot("shop", "sales")
    clustered = published.snapshot("shop", "sales", cluster_by=("region", "sales_date", "gone_since"))
    assert clustered.cluster_by == ("region", "sales_date")  # a column this version lacks is left out
    for filters, sort in [((), ()), (("region:ne:east",), ("revenue:desc",)), (("units:gte:1",), ("sales_date:asc",))]:
        for offset in (0, 7, 35):
            read = parse_read(list(filters), list(sort), 7, offset, plain.columns)
            assert published.read(clustered, read) == published._read_files(plain, read)
    if reader_module.MEMORY_ROWS:  # the copy in memory holds the rows ordered by region, then day
        table = published._table(clustered)
        stored = published.sql(f"select region, sales_date from {table} order by rowid")
        assert stored == sorted(stored) and len(stored) == len(CURRENT)


def test_a_column_named_rowid_is_read_as_data(published, tmp_path):
    with duckdb.connect() as con:  # a real column hides DuckDB's rowid: such a version is read from its files
        publish_snapshot(con, tmp_path / "published", "shop", "ids", "select 9 - n as rowid, n as v from range(10) t(n)",
                         run_id="r")
    snapshot = published.snapshot("shop", "ids")
    page = published.read(snapshot, parse_read(["v:gte:5"], ["rowid:asc"], 2, 0, snapshot.columns))
    assert (page.total, page.rows()) == (5, [{"rowid": 0, "v": 9}, {"rowid": 1, "v": 8}])


def _settled(reader, seconds=30.0):
    """Wait for the reader's background loads to end."""
    deadline = time.monotonic() + seconds
    while reader._loading and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not reader._loading


@pytest.fixture
def background(tmp_path):
    con = duckdb.connect()
    con.execute("create table t (sales_date date, region varchar, revenue decimal(18,2), units bigint)")
    con.executemany("insert into t values (?, ?, ?, ?)", ROWS)
    publish = lambda: publish_snapshot(con, tmp_path / "published", "shop", "sales", "select * from t",  # noqa: E731
                                       run_id="r")
    publish()
    reader = SnapshotReader(tmp_path / "published", tmp_path / "restricted")  # loads in the background, as served
    yield reader, publish
    reader.close()


def test_while_a_new_version_loads_the_version_before_it_answers(background, monkeypatch):
    reader, publish = background
    assert reader.snapshot("shop", "sales").version == 1  # nothing loaded yet: its files answer
    _settled(reader)
    publish()
    gate, load = threading.Event(), SnapshotReader._load
    monkeypatch.setattr(SnapshotReader, "_load", lambda self, snapshot: gate.wait(30) and load(self, snapshot))
    answering = reader.snapshot("shop", "sales")
    assert answering.version == (1 if reader_module.MEMORY_ROWS else 2)  # too large to load: v2 from its files
    assert reader.read(answering, parse_read([], [], 1000, 0, answering.columns)).total == len(ROWS)
    gate.set()
    _settled(reader)
    assert reader.snapshot("shop", "sales").version == 2


def test_a_version_whose_load_fails_is_read_from_its_files(background):
    reader, publish = background
    reader.snapshot("shop", "sales")
    _settled(reader)
    publish()
    current = reader._snapshot(str(reader.published_dir / "shop" / "sales" / "v=2"), False, ())
    current.files[0].unlink()  # removed (as by retention) before it could be loaded
    reader.snapshot("shop", "sales")
    _settled(reader)
    assert reader.snapshot("shop", "sales").version == 2  # not the loaded v1 for ever
