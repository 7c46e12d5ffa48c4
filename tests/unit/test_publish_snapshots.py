"""Published snapshots: immutable v=<n> folders, carried-over partitions, the atomic `current` pointer."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb
import pytest

from dataops_assets.publish import snapshots
from dataops_assets.publish.records import Publication, current_files, current_publication, list_publications, versions
from dataops_assets.publish.snapshots import publish_snapshot

DAY1, DAY2, DAY3, DAY4 = (dt.date(2026, 11, d) for d in (1, 2, 3, 4))


@pytest.fixture
def con():
    """30 orders, 10 on each of three days."""
    with duckdb.connect() as con:
        con.execute("create table orders as select date '2026-11-01' + (i % 3)::int as day, i as id, "
                    "i * 1.5 as amount from range(30) r(i)")
        yield con


@pytest.fixture
def published(tmp_path) -> Path:
    return tmp_path / "published"


def publish_orders(con, published: Path, query: str = "select * from orders", **kwargs) -> Publication:
    return publish_snapshot(con, published, "sales", "orders", query, run_id="run-1", **kwargs)


def publish_daily(con, published: Path, start: dt.date = DAY1, end: dt.date = DAY4, query: str | None = None,
                  run_id: str = "run-1") -> Publication:
    """Publish the days in [start, end); `query` overrides the rows written (a wrong filter)."""
    query = query or f"select * from orders where day >= date '{start}' and day < date '{end}'"
    return publish_snapshot(con, published, "sales", "orders_daily", query, run_id=run_id,
                            partition_column="day", partition_window=(start, end))


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def read_rows(files: list[Path]) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute("select day, id, amount from read_parquet(?, hive_partitioning = false) order by id",
                           [[str(f) for f in files]]).fetchall()


def count_rows(files: list[Path]) -> int:
    with duckdb.connect() as con:
        return con.execute("select count(*) from read_parquet(?)", [[str(f) for f in files]]).fetchone()[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_first_publish_is_v1_named_by_current_and_its_record_round_trips(con, published):
    publication = publish_orders(con, published, checks=[{"check": "id_unique", "passed": True}])
    folder = published / "sales" / "orders"
    assert (publication.version, publication.rows, publication.path) == (1, 30, folder / "v=1")
    assert (folder / "current").read_text() == "v=1\n"
    assert sorted(p.name for p in publication.path.iterdir()) == ["_publication.json", "data.parquet"]
    record = json.loads((publication.path / "_publication.json").read_text())
    assert Publication.from_json(record, publication.path) == publication
    assert current_publication(published, "sales", "orders") == publication
    assert record["path"] == str(folder / "v=1") and record["checks"] == [{"check": "id_unique", "passed": True}]
    assert (publication.partition_rows, publication.partitions_written, publication.partition_column) == ({}, (), None)
    assert dt.datetime.strptime(publication.published_at, "%Y-%m-%dT%H:%M:%SZ")
    assert len(read_rows(current_files(publication))) == 30


def test_a_second_publish_becomes_current_and_leaves_v1_byte_identical(con, published):
    first = publish_orders(con, published)
    before = file_bytes(first.path)
    con.execute("update orders set amount = -1")
    second = publish_orders(con, published)
    assert second.version == 2 and current_publication(published, "sales", "orders").version == 2
    assert versions(published, "sales", "orders") == [1, 2]
    assert file_bytes(first.path) == before
    assert {row[2] for row in read_rows(current_files(second))} == {-1}
    assert {row[2] for row in read_rows(current_files(first))} != {-1}


def test_republishing_one_day_rewrites_it_and_hard_links_the_other_days(con, published):
    first = publish_daily(con, published)
    assert sorted(p.name for p in first.path.iterdir()) == [
        "_publication.json", "day=2026-11-01", "day=2026-11-02", "day=2026-11-03"]
    assert [p.name for p in (first.path / "day=2026-11-01").iterdir()] == ["data_0.parquet"]
    con.execute("update orders set amount = -1")
    second = publish_daily(con, published, DAY2, DAY3)
    for day in ("2026-11-01", "2026-11-03"):
        old, new = (p.path / f"day={day}" / "data_0.parquet" for p in (first, second))
        assert new.read_bytes() == old.read_bytes()
        assert os.stat(new).st_ino == os.stat(old).st_ino
    rows = read_rows(current_files(second))
    assert {r[2] for r in rows if r[0] == DAY2} == {-1} and all(r[2] != -1 for r in rows if r[0] != DAY2)
    assert len(rows) == second.rows == 30
    assert second.partition_rows == {"2026-11-01": 10, "2026-11-02": 10, "2026-11-03": 10}
    assert second.partitions_written == ("2026-11-02",)
    assert first.partitions_written == ("2026-11-01", "2026-11-02", "2026-11-03")


def test_carried_over_files_are_copied_when_they_cannot_be_linked(con, published, monkeypatch):
    first = publish_daily(con, published)

    def no_links(source, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    second = publish_daily(con, published, DAY2, DAY3)
    old, new = (p.path / "day=2026-11-01" / "data_0.parquet" for p in (first, second))
    assert new.read_bytes() == old.read_bytes() and os.stat(new).st_ino != os.stat(old).st_ino


def test_a_window_that_produced_no_rows_removes_its_partition(con, published):
    publish_daily(con, published)
    con.execute("delete from orders where day = date '2026-11-02'")
    second = publish_daily(con, published, DAY2, DAY3)
    assert not (second.path / "day=2026-11-02").exists()
    assert second.partition_rows == {"2026-11-01": 10, "2026-11-03": 10} and second.rows == 20
    assert second.partitions_written == ()
    assert len(read_rows(current_files(second))) == 20


def test_rows_outside_the_window_are_refused_and_nothing_changes(con, published):
    first = publish_daily(con, published)
    folder = first.path.parent
    with pytest.raises(ValueError, match=r"^day: .*2026-11-01, 2026-11-03 outside the window 2026-11-02\.\.2026-11-03"):
        publish_daily(con, published, DAY2, DAY3, query="select * from orders")
    assert versions(published, "sales", "orders_daily") == [1]
    assert current_publication(published, "sales", "orders_daily") == first
    assert leftovers(folder) == []


def test_a_failing_query_leaves_current_and_the_folder_as_they_were(con, published):
    first = publish_orders(con, published)
    with pytest.raises(duckdb.Error):
        publish_orders(con, published, query="select * from no_such_table")
    assert current_publication(published, "sales", "orders") == first
    assert sorted(p.name for p in first.path.parent.iterdir()) == ["current", "v=1"]


def test_the_pointer_moves_only_once_the_new_version_is_complete_in_place(con, published, monkeypatch):
    publish_daily(con, published)
    swap, seen = snapshots._swap_pointer, []

    def watched_swap(folder: Path, name: str) -> None:
        seen.append((name, leftovers(folder), file_bytes(folder / name).keys()))
        swap(folder, name)

    monkeypatch.setattr(snapshots, "_swap_pointer", watched_swap)
    publish_daily(con, published, DAY2, DAY3)
    assert [(name, left, sorted(files)) for name, left, files in seen] == [("v=2", [], [
        "_publication.json", "day=2026-11-01/data_0.parquet", "day=2026-11-02/data_0.parquet",
        "day=2026-11-03/data_0.parquet"])]


def test_a_version_renamed_into_place_but_never_made_current_is_skipped(con, published, monkeypatch):
    publish_orders(con, published)
    with monkeypatch.context() as patched:
        patched.setattr(snapshots, "_swap_pointer", lambda folder, name: (_ for _ in ()).throw(OSError("killed")))
        with pytest.raises(OSError, match="killed"):
            publish_orders(con, published)
    assert current_publication(published, "sales", "orders").version == 1
    assert versions(published, "sales", "orders") == [1, 2]
    assert publish_orders(con, published).version == 3


def test_leftovers_of_a_killed_publisher_are_removed_by_the_next_publish(con, published):
    folder = publish_orders(con, published).path.parent
    (folder / ".v=2.tmp-0123abcd").mkdir()
    (folder / ".v=2.tmp-0123abcd" / "data.parquet").write_bytes(b"half written")
    (folder / "current.tmp-0123abcd").write_text("v=2")
    assert publish_orders(con, published).version == 2
    assert leftovers(folder) == [] and (folder / "current").read_text() == "v=2\n"


def test_retention_keeps_the_newest_versions_and_the_current_one(con, published):
    for _ in range(4):
        last = publish_orders(con, published, keep=2)
    assert versions(published, "sales", "orders") == [3, 4]
    assert sorted(p.name for p in last.path.parent.iterdir()) == ["current", "v=3", "v=4"]
    assert current_publication(published, "sales", "orders") == last and last.version == 4


@pytest.mark.parametrize(("field", "arguments"), [
    ("product", {"product": "Sales"}),
    ("product", {"product": "../sales"}),
    ("model", {"model": "orders-daily"}),
    ("model", {"model": "1orders"}),
    ("partition_column", {"partition_column": 'day" from orders; --', "partition_window": (DAY1, DAY4)}),
    ("partition_window", {"partition_column": "day"}),
    ("partition_window", {"partition_window": (DAY1, DAY4)}),
    ("partition_window", {"partition_column": "day", "partition_window": (DAY2, DAY2)}),
    ("partition_window", {"partition_column": "day",
                          "partition_window": (dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 4))}),
    ("keep", {"keep": 0}),
])
def test_bad_arguments_are_refused_in_one_line_naming_the_field(con, published, field, arguments):
    arguments = {"product": "sales", "model": "orders", **arguments}
    with pytest.raises(ValueError) as raised:
        publish_snapshot(con, published, query="select * from orders", run_id="run-1", **arguments)
    assert str(raised.value).startswith(f"{field}: expected ") and "\n" not in str(raised.value)
    assert not published.exists()


def test_changing_the_partition_column_is_refused(con, published):
    publish_daily(con, published)
    with pytest.raises(ValueError, match=r"^partition_column: expected 'day' .*, got 'id'"):
        publish_snapshot(con, published, "sales", "orders_daily", "select * from orders where false", run_id="r",
                         partition_column="id", partition_window=(DAY1, DAY4))
    assert versions(published, "sales", "orders_daily") == [1]


def test_current_publication_is_none_before_a_publish_and_reports_a_broken_pointer_or_record(con, published):
    assert current_publication(published, "sales", "orders") is None
    folder = publish_orders(con, published).path.parent
    (folder / "current").write_text("v=9\n")
    with pytest.raises(ValueError, match=r"/sales/orders/current: .*got 'v=9'$"):
        current_publication(published, "sales", "orders")
    (folder / "current").write_text("v=1\n")
    (folder / "v=1" / "_publication.json").write_text('{"product": "sales", "rows": ')
    with pytest.raises(ValueError, match=r"/v=1/_publication.json: malformed publication record"):
        current_publication(published, "sales", "orders")


def test_list_publications_names_the_current_version_of_every_model(con, published):
    publish_orders(con, published)
    publish_orders(con, published)
    publish_daily(con, published)
    publish_snapshot(con, published, "finance", "revenue", "select sum(amount) as revenue from orders", run_id="r")
    everything = [(p.product, p.model, p.version) for p in list_publications(published)]
    assert everything == [("finance", "revenue", 1), ("sales", "orders", 2), ("sales", "orders_daily", 1)]
    assert [(p.model, p.version) for p in list_publications(published, "sales")] == [("orders", 2), ("orders_daily", 1)]
    assert list_publications(published, "marketing") == [] == list_publications(published, "*")


def emails_of(files: list[Path]) -> list[str]:
    with duckdb.connect() as con:
        return sorted(r[0] for r in con.execute("select email from read_parquet(?)", [[str(f) for f in files]]).fetchall())


def test_the_unmasked_twin_is_complete_before_current_names_its_version(con, published, tmp_path, monkeypatch):
    restricted = tmp_path / "restricted"
    con.execute("create table raw as select *, 'person' || id || '@example.com' as email from orders")
    twin = (restricted, "select day, id, amount, email from raw")
    masked = "select *, '***' as email from orders"
    swap, seen = snapshots._swap_pointer, []

    def watched_swap(folder: Path, name: str) -> None:
        seen.append(sorted(file_bytes(restricted / "sales" / "orders" / name)))
        swap(folder, name)

    monkeypatch.setattr(snapshots, "_swap_pointer", watched_swap)
    first = publish_orders(con, published, masked, unmasked=twin)
    assert seen == [["_publication.json", "data.parquet"]]
    assert (restricted.stat().st_mode & 0o777) == 0o700
    assert emails_of(sorted((restricted / "sales" / "orders" / "v=1").glob("*.parquet"))) == sorted(
        f"person{i}@example.com" for i in range(30))
    assert set(emails_of(current_files(first))) == {"***"}
    for _ in range(3):  # retention drops a twin with its masked version
        publish_orders(con, published, masked, unmasked=twin, keep=2)
    assert sorted(p.name for p in (restricted / "sales" / "orders").iterdir()) == ["v=3", "v=4"]


def test_a_failed_twin_publishes_nothing(con, published, tmp_path):
    first = publish_orders(con, published)
    with pytest.raises(duckdb.Error):
        publish_orders(con, published, unmasked=(tmp_path / "restricted", "select * from no_such_table"))
    assert current_publication(published, "sales", "orders") == first
    assert sorted(p.name for p in first.path.parent.iterdir()) == ["current", "v=1"]
    assert list((tmp_path / "restricted" / "sales" / "orders").iterdir()) == []


def test_a_partitioned_twin_carries_over_its_other_days(con, published, tmp_path):
    restricted = tmp_path / "restricted"
    for start, end in ((DAY1, DAY4), (DAY2, DAY3)):
        query = f"select * from orders where day >= date '{start}' and day < date '{end}'"
        publish_snapshot(con, published, "sales", "orders_daily", query, run_id="r", partition_column="day",
                         partition_window=(start, end), unmasked=(restricted, query))
    twin = restricted / "sales" / "orders_daily" / "v=2"
    assert sorted(p.name for p in twin.iterdir()) == ["_publication.json", "day=2026-11-01", "day=2026-11-02",
                                                      "day=2026-11-03"]
    assert count_rows(sorted(twin.rglob("*.parquet"))) == 30
