"""Reading published snapshots: DuckDB in-process, over the Parquet files of one version, never the warehouse.

A request resolves `current` once and reads that version's files to the end, so a publication swapping
`current` meanwhile gives it the old version or the new one, never an error, and a run writing the
warehouse never blocks it. A version is immutable, so what is learnt of it (files, columns) is cached.
The connection reads only the published folders (DuckDB's allowed_directories, external access off,
configuration locked), and every value a caller sends is a bound parameter (query.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dataops_assets.publish.records import (
    RECORD, Publication, current_files, current_version, read_publication, versions,
)
from dataops_assets.serving.query import Filter, QueryError, Read, order_clause, typed_values, where_clause
from dataops_assets.sql_text import literal, published_files, quote

_TIEBREAK_COLUMNS = ("filename", "file_row_number")
# Pages kept in memory: at most CACHED_PAGES of at most CACHED_ROWS rows each.
CACHED_PAGES = 512
CACHED_ROWS = 1000
# A version of at most MEMORY_ROWS rows is loaded into an in-memory table on its first read (its
# files are decoded once, not on every request); one version per model (the latest loaded), at most
# LOADED_VERSIONS in all, least recently read dropped first. Larger versions, and a model's other
# versions, are read from their files.
MEMORY_ROWS = 5_000_000
LOADED_VERSIONS = 8
_ROW = "__dataops_row"


class NotPublished(LookupError):
    """Nothing (or not that version) is published for the model."""


@dataclass(frozen=True, eq=False)  # one object per version folder (cached): compared and hashed by identity
class Snapshot:
    """One published version of a model as a reader sees it (masked, or the unmasked variant)."""

    publication: Publication
    files: tuple[Path, ...]
    columns: Mapping[str, str]  # name -> DuckDB type, in file order
    unmasked: bool
    # Partitioned: each partition's value (a day) -> its files, so a filter on the partition column reads
    # only the days it can match.
    partitions: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return self.publication.version


@dataclass(frozen=True)
class Page:
    rows_json: list[str]  # each row as a JSON object, as DuckDB wrote it
    total: int

    def rows(self) -> list[dict]:
        return [json.loads(r) for r in self.rows_json]


class SnapshotReader:
    def __init__(self, published_dir: Path, restricted_dir: Path, config: Mapping[str, str | int] | None = None,
                 load_in_background: bool = True) -> None:
        """`config`: DuckDB's memory_limit, threads and temp_directory (settings.duckdb_config).
        `load_in_background`: a version is loaded into memory by a thread of its own while its first reads
        go to its files (the server); False: by its first read, which waits (tests, benchmarks)."""
        self.published_dir, self.restricted_dir = Path(published_dir), Path(restricted_dir)
        self._con = duckdb.connect(":memory:", config=dict(config or {}))
        readable = [str(d) + "/" for d in (self.published_dir, self.restricted_dir)]
        self._con.execute(f"set allowed_directories = [{', '.join(literal(d) for d in readable)}]")
        self._con.execute("set enable_external_access = false")
        self._con.execute("set lock_configuration = true")
        self._lock = threading.Lock()  # creating cursors on one connection
        self._tables: OrderedDict[tuple[str, bool], str] = OrderedDict()  # loaded versions, least recent first
        self._loading: set[tuple[str, bool]] = set()
        self._load_in_background = load_in_background

    def snapshot(self, product: str, model: str, version: int | None = None, unmasked: bool = False) -> Snapshot:
        """The current version (or the one asked for, if still kept); NotPublished naming what is kept."""
        if version is None:
            version = current_version(self.published_dir, product, model)
            if version is None:
                raise NotPublished(f"{product}/{model}: nothing published yet")
        else:
            kept = versions(self.published_dir, product, model)
            if version not in kept:
                raise NotPublished(f"version: {product}/{model} has no published version {version}; kept: "
                                   f"{', '.join(map(str, kept)) or 'none'}")
        root = self.restricted_dir if unmasked else self.published_dir
        return self._snapshot(str(root / product / model / f"v={version}"), unmasked)

    def has_unmasked(self, product: str, model: str, version: int) -> bool:
        return (self.restricted_dir / product / model / f"v={version}" / RECORD).is_file()

    @functools.lru_cache(maxsize=256)  # noqa: B019 (one reader per server, versions are immutable)
    def _snapshot(self, path: str, unmasked: bool) -> Snapshot:
        folder = Path(path)
        if not (folder / RECORD).is_file():
            raise NotPublished(f"{folder}: no such published version")
        publication = read_publication(folder)
        files = tuple(current_files(publication))
        with self._cursor() as con:
            described = con.execute(f"describe select * from {published_files(files)}").fetchall() if files else []
        partitions: dict[str, tuple[Path, ...]] = {}
        if publication.partition_column:
            prefix = f"{publication.partition_column}="
            for file in files:
                part = file.parent.name
                if part.startswith(prefix):
                    partitions[part[len(prefix):]] = (*partitions.get(part[len(prefix):], ()), file)
        return Snapshot(publication, files, {name: kind for name, kind, *_ in described}, unmasked, partitions)

    def read(self, snapshot: Snapshot, read: Read) -> Page:
        """A page of the version; pages of up to CACHED_ROWS rows are cached (a version never changes)."""
        return self._cached_read(snapshot, read) if read.limit <= CACHED_ROWS else self._read(snapshot, read)

    @functools.lru_cache(maxsize=CACHED_PAGES)  # noqa: B019 (one reader per server)
    def _cached_read(self, snapshot: Snapshot, read: Read) -> Page:
        return self._read(snapshot, read)

    def _read(self, snapshot: Snapshot, read: Read) -> Page:
        table = self._table(snapshot)
        if table is not None:
            try:
                return self._query(snapshot, read, table, [_ROW], pruned=False)
            except duckdb.CatalogException:  # dropped by a newer load meanwhile: read the files
                pass
        files = _pruned(snapshot, read)
        if not files:
            with self._cursor() as con:
                problem = _bad_value(con, read, snapshot.columns, strict=True)
            if problem:
                raise QueryError(problem)
            return Page([], 0)
        tiebreak = [] if set(_TIEBREAK_COLUMNS) & set(snapshot.columns) else list(_TIEBREAK_COLUMNS)
        return self._query(snapshot, read, published_files(files, positions=bool(tiebreak)), tiebreak,
                           pruned=len(files) < len(snapshot.files))

    def _query(self, snapshot: Snapshot, read: Read, source: str, tiebreak: list[str], pruned: bool) -> Page:
        columns = snapshot.columns
        where, params = where_clause(read, columns)
        row = "{" + ", ".join(f"{literal(c)}: {quote(c)}" for c in columns) + "}"
        with self._cursor() as con:
            try:
                if read.filters or pruned:
                    total = con.execute(f"select count(*) from {source} {where}", params).fetchone()[0]
                else:
                    total = snapshot.publication.rows
                # The page found on the sort keys alone, then only its rows fetched and turned into JSON.
                order = order_clause(read, tiebreak)
                if tiebreak == [_ROW]:  # a loaded version: its row number finds the page's rows
                    page = (f"select * from {source} where {_ROW} in (select {_ROW} from {source} {where} {order} "
                            "limit ? offset ?)")
                else:
                    page = f"select * from {source} {where} {order} limit ? offset ?"
                found = con.execute(f"select cast(to_json({row}) as varchar) from ({page}) {order}",
                                    [*params, read.limit, read.offset]).fetchall()
            except duckdb.ConversionException:
                raise QueryError(_bad_value(con, read, columns)) from None
        return Page([r[0] for r in found], int(total))

    def _table(self, snapshot: Snapshot) -> str | None:
        """The version's in-memory table; None for a version too large to hold, or (in the background
        mode) while it is being loaded: meanwhile its files are read, so a new version never stalls reads."""
        if (not snapshot.files or snapshot.publication.rows > MEMORY_ROWS
                or {_ROW, *_TIEBREAK_COLUMNS} & set(snapshot.columns)):
            return None
        key = (str(snapshot.publication.path), snapshot.unmasked)
        with self._lock:
            if key in self._tables:
                self._tables.move_to_end(key)
                return self._tables[key]
            if key in self._loading:
                return None
            self._loading.add(key)
        if self._load_in_background:
            threading.Thread(target=self._load, args=(snapshot, key), name="dataops-load", daemon=True).start()
            return None
        return self._load(snapshot, key)

    def _load(self, snapshot: Snapshot, key: tuple[str, bool]) -> str | None:
        name = "snapshot_" + hashlib.sha256(repr(key).encode()).hexdigest()[:20]
        try:
            with self._cursor() as con:
                # Each row's place in the files (file order, then row): a join on offsets, not a sort.
                counts = dict(con.execute(f"select file_name, num_rows from parquet_file_metadata("
                                          f"[{', '.join(literal(f) for f in snapshot.files)}])").fetchall())
                offsets, base = [], 0
                for file in snapshot.files:
                    offsets.append(f"({literal(file)}, {base})")
                    base += int(counts[str(file)])
                con.execute(f"create or replace table {name} as select t.* exclude (filename, file_row_number), "
                            f"o.base + t.file_row_number as {_ROW} from {published_files(snapshot.files, positions=True)} t "
                            f"join (values {', '.join(offsets)}) o(file, base) on t.filename = o.file")
        except duckdb.Error:  # removed by retention meanwhile, or out of memory: the files are read instead
            with self._lock:
                self._loading.discard(key)
            return None
        with self._lock:
            # One loaded version per model (a new one replaces the one before: older versions, read only
            # by `version=`, come from their files), and at most LOADED_VERSIONS in all.
            evicted = [self._tables.pop(k) for k in list(self._tables)
                       if k[1] == key[1] and Path(k[0]).parent == Path(key[0]).parent]
            self._tables[key] = name
            self._loading.discard(key)
            evicted += [self._tables.popitem(last=False)[1] for _ in range(len(self._tables) - LOADED_VERSIONS)]
        for table in evicted:
            with self._cursor() as con:
                con.execute(f"drop table if exists {table}")
        return name

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        with self._cursor() as con:
            return con.execute(query, params or []).fetchall()

    def _cursor(self):
        with self._lock:
            return self._con.cursor()

    def close(self) -> None:
        self._con.close()


def _bad_value(con: duckdb.DuckDBPyConnection, read: Read, columns: Mapping[str, str], strict: bool = False) -> str:
    """Which filter value does not cast to its column's type ('' if none, when `strict`)."""
    for f, value, kind in typed_values(read, columns):
        if con.execute(f"select try_cast(? as {kind}) is null", [value]).fetchone()[0]:
            return f"filters: {f.field}:{f.op}: value {value!r} is not a {kind}"
    return "" if strict else "filters: a value does not cast to its column's type"


_PRUNING = {"eq": lambda d, v: d == v[0], "in": lambda d, v: d in v, "gt": lambda d, v: d > v[0],
            "gte": lambda d, v: d >= v[0], "lt": lambda d, v: d < v[0], "lte": lambda d, v: d <= v[0]}


def _pruned(snapshot: Snapshot, read: Read) -> tuple[Path, ...]:
    """The files a read can match: for a filter on a DATE partition column, only the days it admits."""
    column = snapshot.publication.partition_column
    tests = [f for f in read.filters if f.field == column and f.op in _PRUNING]
    if not tests or not snapshot.partitions or snapshot.columns.get(column) != "DATE":
        return snapshot.files
    kept: list[Path] = []
    for value, files in snapshot.partitions.items():
        if all(_admits(f, value) for f in tests):
            kept.extend(files)
    return tuple(sorted(kept))


def _admits(test: Filter, value: str) -> bool:
    try:
        day = dt.date.fromisoformat(value)
        wanted = [dt.date.fromisoformat(v.strip()) for v in test.values]
    except ValueError:
        return True  # not a day (a NULL partition, a bad value): DuckDB decides, or names the bad value
    return _PRUNING[test.op](day, wanted)
