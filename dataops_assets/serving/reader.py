"""Reading published snapshots: DuckDB in-process, over the Parquet files of one version, never the warehouse.

A request resolves `current` once and reads that version's files to the end, so a publication swapping
`current` meanwhile gives it the old version or the new one, never an error, and a run writing the
warehouse never blocks it. A version is immutable, so what is learnt of it (files, columns) is cached.
The connection reads only the published folders (DuckDB's allowed_directories, external access off,
configuration locked), and every value a caller sends is a bound parameter (query.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
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
LOAD_NICENESS = 10
DESCRIBED_VERSIONS = 256  # versions whose description (files, columns) is kept, oldest described dropped first
_ROW = "__dataops_row"
_ROWID = "__dataops_rowid"
_RESERVED = {_ROW, _ROWID, "rowid", *_TIEBREAK_COLUMNS}


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
    # The columns its loaded copy is ordered by (the model's `cluster_by`, those the version has).
    cluster_by: tuple[str, ...] = ()

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
        """`config`: DuckDB's memory_limit and temp_directory (settings.serving_duckdb_config); threads is 1 (each read
        runs on its request's thread alone: concurrent requests are the parallelism, and a load in the
        background runs on its own, lower-priority thread).
        `load_in_background`: a version is loaded into memory by a thread of its own, meanwhile the model's
        version loaded before it answers (or, for its first, its files) (the server); False: by its first
        read, which waits (tests, benchmarks)."""
        self.published_dir, self.restricted_dir = Path(published_dir), Path(restricted_dir)
        self._con = duckdb.connect(":memory:", config={**(config or {}), "threads": 1})
        readable = [str(d) + "/" for d in (self.published_dir, self.restricted_dir)]
        self._con.execute(f"set allowed_directories = [{', '.join(literal(d) for d in readable)}]")
        self._con.execute("set enable_external_access = false")
        self._con.execute("set lock_configuration = true")
        self._lock = threading.Lock()  # creating cursors on one connection
        # Per model (its folder, unmasked, cluster_by): the version held in memory (least recently read
        # first), the version being loaded, and versions whose load failed.
        self._tables: OrderedDict[_ModelKey, _Loaded] = OrderedDict()
        self._loading: dict[_ModelKey, int] = {}
        self._unloadable: set[str] = set()
        self._snapshots: OrderedDict[tuple[str, bool, tuple[str, ...]], Snapshot] = OrderedDict()
        self._describing = threading.Lock()
        self._load_in_background = load_in_background
        self._loaders: list[threading.Thread] = []  # background loads, joined before the connection closes

    def snapshot(self, product: str, model: str, version: int | None = None, unmasked: bool = False,
                 cluster_by: tuple[str, ...] = ()) -> Snapshot:
        """The current version (or the one asked for, if still kept); NotPublished naming what is kept.
        `cluster_by`: the columns its copy in memory is ordered by, so filters on them skip row groups.
        While a new current version is loaded in the background, the version before it answers."""
        folder = (self.restricted_dir if unmasked else self.published_dir) / product / model
        if version is None:
            version = current_version(self.published_dir, product, model)
            if version is None:
                raise NotPublished(f"{product}/{model}: nothing published yet")
            return self._answering(self._snapshot(str(folder / f"v={version}"), unmasked, tuple(cluster_by)))
        kept = versions(self.published_dir, product, model)
        if version not in kept:
            raise NotPublished(f"version: {product}/{model} has no published version {version}; kept: "
                               f"{', '.join(map(str, kept)) or 'none'}")
        return self._snapshot(str(folder / f"v={version}"), unmasked, tuple(cluster_by))

    def has_unmasked(self, product: str, model: str, version: int) -> bool:
        return (self.restricted_dir / product / model / f"v={version}" / RECORD).is_file()

    def _snapshot(self, path: str, unmasked: bool, cluster_by: tuple[str, ...]) -> Snapshot:
        """The version as described once (it is immutable). One description at a time: the many first reads of
        a new publication wait for one reading of its files' footers instead of each making their own."""
        key = (path, unmasked, cluster_by)
        found = self._snapshots.get(key)
        if found is None:
            with self._describing:
                found = self._snapshots.get(key) or self._describe(path, unmasked, cluster_by)
                self._snapshots[key] = found
                while len(self._snapshots) > DESCRIBED_VERSIONS:
                    self._snapshots.popitem(last=False)
        return found

    def _describe(self, path: str, unmasked: bool, cluster_by: tuple[str, ...]) -> Snapshot:
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
        columns = {name: kind for name, kind, *_ in described}
        return Snapshot(publication, files, columns, unmasked, partitions, tuple(c for c in cluster_by if c in columns))

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
                return self._query_table(snapshot, read, table)
            except duckdb.CatalogException:  # dropped by a newer load meanwhile: read the files
                pass
        return self._read_files(snapshot, read)

    def _read_files(self, snapshot: Snapshot, read: Read) -> Page:
        files = _pruned(snapshot, read)
        if not files:
            with self._cursor() as con:
                problem = _bad_value(con, read, snapshot.columns, strict=True)
            if problem:
                raise QueryError(problem)
            return Page([], 0)
        tiebreak = [] if set(_TIEBREAK_COLUMNS) & set(snapshot.columns) else list(_TIEBREAK_COLUMNS)
        source = published_files(files, positions=bool(tiebreak))
        where, params = where_clause(read, snapshot.columns)
        order = order_clause(read, tiebreak)
        with self._cursor() as con, _named_bad_values(con, read, snapshot.columns):
            if read.filters or len(files) < len(snapshot.files):
                total = con.execute(f"select count(*) from {source} {where}", params).fetchone()[0]
            else:
                total = snapshot.publication.rows
            found = con.execute(f"select {_as_json(snapshot.columns)} from (select * from {source} {where} {order} "
                                f"limit ? offset ?) {order}", [*params, read.limit, read.offset]).fetchall()
        return Page([r[0] for r in found], int(total))

    def _query_table(self, snapshot: Snapshot, read: Read, table: str) -> Page:
        """A loaded version in two statements: one scan finds the matching rows' sort keys, counts them and
        picks the page's row ids; then only the page's rows are fetched (by rowid) and turned into JSON."""
        where, params = where_clause(read, snapshot.columns)
        order = order_clause(read, [_ROW])
        keys = ", ".join(dict.fromkeys([*(quote(k.field) for k in read.sort), _ROW, f"rowid as {_ROWID}"]))
        with self._cursor() as con, _named_bad_values(con, read, snapshot.columns):
            if read.filters:
                total, ids = con.execute(
                    f"with matched as materialized (select {keys} from {table} {where}) select (select count(*) "
                    f"from matched), (select list({_ROWID}) from (select * from matched {order} limit ? offset ?))",
                    [*params, read.limit, read.offset]).fetchone()
            else:
                total = snapshot.publication.rows
                ids = con.execute(f"select list({_ROWID}) from (select {keys} from {table} {order} limit ? offset ?)",
                                  [read.limit, read.offset]).fetchone()[0]
            found = con.execute(f"select {_as_json(snapshot.columns)} from {table} where rowid in "
                                f"(select unnest(?::bigint[])) {order}", [ids]).fetchall() if ids else []
        return Page([r[0] for r in found], int(total))

    def _table(self, snapshot: Snapshot) -> str | None:
        """The version's in-memory table. None for a version too large to hold (or whose load failed), for
        a version older than the model's loaded one, and (in the background mode) while it is being loaded:
        those are read from their files."""
        if not _loadable(snapshot) or str(snapshot.publication.path) in self._unloadable:
            return None
        key = _model_key(snapshot)
        with self._lock:
            loaded = self._tables.get(key)
            if loaded and loaded.snapshot.version == snapshot.version:
                self._tables.move_to_end(key)
                return loaded.table
            if (loaded and loaded.snapshot.version > snapshot.version) or key in self._loading:
                return None
            self._loading[key] = snapshot.version
        if self._load_in_background:
            loader = threading.Thread(target=self._load_in_the_background, args=(snapshot,), name="dataops-load",
                                      daemon=True)
            with self._lock:  # started under the lock: close() never joins a thread not yet started
                self._loaders = [t for t in self._loaders if t.is_alive()] + [loader]
                loader.start()
            return None
        return self._load(snapshot)

    def _answering(self, current: Snapshot) -> Snapshot:
        """The version a read of `current` answers from: `current` itself, or while it is being loaded in the
        background, the model's version loaded before it (as a store serves a new segment once it is loaded:
        a publication never sends every read to the files, at many times a loaded read's cost, at once)."""
        if self._table(current) is not None:
            return current
        with self._lock:
            loaded = self._tables.get(_model_key(current))
            loading = self._loading.get(_model_key(current))
        if loaded and loading is not None and loaded.snapshot.version < current.version:
            return loaded.snapshot
        return current

    def _load_in_the_background(self, snapshot: Snapshot) -> None:
        """The load at a lower CPU priority than reads (Linux: a thread's own niceness; DuckDB runs it on
        this thread alone, threads=1), so a new version's decoding and sorting takes the cores reads leave."""
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOAD_NICENESS)
        self._load(snapshot)

    def _load(self, snapshot: Snapshot) -> str | None:
        key, path = _model_key(snapshot), str(snapshot.publication.path)
        name = "snapshot_" + hashlib.sha256(repr((path, key)).encode()).hexdigest()[:20]
        try:
            with self._cursor() as con:
                # Each row's place in the files (file order, then row): a join on offsets, not a sort. The
                # copy is ordered by the model's cluster_by columns, then that place: row groups hold runs of
                # like values, and their min/max let a filter skip the groups it cannot match.
                counts = dict(con.execute(f"select file_name, num_rows from parquet_file_metadata("
                                          f"[{', '.join(literal(f) for f in snapshot.files)}])").fetchall())
                offsets, base = [], 0
                for file in snapshot.files:
                    offsets.append(f"({literal(file)}, {base})")
                    base += int(counts[str(file)])
                con.execute(f"create or replace table {name} as select t.* exclude (filename, file_row_number), "
                            f"o.base + t.file_row_number as {_ROW} from {published_files(snapshot.files, positions=True)} t "
                            f"join (values {', '.join(offsets)}) o(file, base) on t.filename = o.file "
                            f"order by {', '.join([*map(quote, snapshot.cluster_by), _ROW])}")
        except duckdb.Error:  # removed by retention meanwhile, or out of memory: its files are read from now on
            with self._lock:
                self._unloadable.add(path)
                self._loading.pop(key, None)
            return None
        with self._lock:
            # One loaded version per model (the new one replaces the one before: a read of an older version
            # goes to its files), and at most LOADED_VERSIONS models in all, least recently read dropped.
            replaced = self._tables.pop(key, None)
            self._tables[key] = _Loaded(snapshot, name)
            self._loading.pop(key, None)
            evicted = [replaced.table] if replaced else []
            evicted += [self._tables.popitem(last=False)[1].table for _ in range(len(self._tables) - LOADED_VERSIONS)]
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
        """Waits for loads under way: DuckDB refuses to close a connection one of its cursors is using."""
        with self._lock:
            loaders = list(self._loaders)
        for loader in loaders:
            loader.join()
        self._con.close()


@contextlib.contextmanager
def _named_bad_values(con: duckdb.DuckDBPyConnection, read: Read, columns: Mapping[str, str]):
    """A filter value DuckDB cannot cast to its column's type becomes a QueryError naming it."""
    try:
        yield
    except duckdb.ConversionException:
        raise QueryError(_bad_value(con, read, columns)) from None


def _as_json(columns: Mapping[str, str]) -> str:
    """Each row as one JSON object (DuckDB writes it; the answer splices it in as it is)."""
    return "cast(to_json({" + ", ".join(f"{literal(c)}: {quote(c)}" for c in columns) + "}) as varchar)"


_ModelKey = tuple[str, bool, tuple[str, ...]]


@dataclass(frozen=True)
class _Loaded:
    snapshot: Snapshot
    table: str


def _model_key(snapshot: Snapshot) -> _ModelKey:
    return str(snapshot.publication.path.parent), snapshot.unmasked, snapshot.cluster_by


def _loadable(snapshot: Snapshot) -> bool:
    """Small enough to hold, and no column hides what finds a row (DuckDB's rowid, the row's place)."""
    return bool(snapshot.files) and snapshot.publication.rows <= MEMORY_ROWS and not (
        _RESERVED & {c.lower() for c in snapshot.columns})


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
