"""Reading published snapshots: DuckDB in-process, over the Parquet files of one version, never the warehouse.

A request resolves `current` once and reads that version's files to the end, so a publication swapping
`current` meanwhile gives it the old version or the new one, never an error, and a run writing the
warehouse never blocks it. A version is immutable, so what is learnt of it (files, columns) is cached.
The connection reads only the published folders (DuckDB's allowed_directories, external access off,
configuration locked), and every value a caller sends is a bound parameter (query.py).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dataops_assets.publish.records import RECORD, Publication, current_publication, versions
from dataops_assets.serving.query import QueryError, Read, order_clause, typed_values, where_clause
from dataops_assets.sql_text import literal, quote

_TIEBREAK_COLUMNS = ("filename", "file_row_number")


class NotPublished(LookupError):
    """Nothing (or not that version) is published for the model."""


@dataclass(frozen=True)
class Snapshot:
    """One published version of a model as a reader sees it (masked, or the unmasked variant)."""

    publication: Publication
    files: tuple[Path, ...]
    columns: Mapping[str, str]  # name -> DuckDB type, in file order
    unmasked: bool

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
    def __init__(self, published_dir: Path, restricted_dir: Path, threads: int = 2, memory_limit: str = "1GB") -> None:
        self.published_dir, self.restricted_dir = Path(published_dir), Path(restricted_dir)
        self._con = duckdb.connect(":memory:", config={"threads": threads, "memory_limit": memory_limit})
        readable = [str(d) + "/" for d in (self.published_dir, self.restricted_dir)]
        self._con.execute(f"set allowed_directories = [{', '.join(literal(d) for d in readable)}]")
        self._con.execute("set enable_external_access = false")
        self._con.execute("set lock_configuration = true")
        self._lock = threading.Lock()  # creating cursors on one connection

    def snapshot(self, product: str, model: str, version: int | None = None, unmasked: bool = False) -> Snapshot:
        """The current version (or the one asked for, if still kept); NotPublished naming what is kept."""
        if version is None:
            publication = current_publication(self.published_dir, product, model)
            if publication is None:
                raise NotPublished(f"{product}/{model}: nothing published yet")
            version = publication.version
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
        record = folder / RECORD
        if not record.is_file():
            raise NotPublished(f"{folder}: no such published version")
        publication = Publication.from_json(json.loads(record.read_text()), folder)
        files = tuple(sorted(folder.rglob("*.parquet")))
        with self._cursor() as con:
            described = con.execute(f"describe select * from {_scan(files)}").fetchall() if files else []
        return Snapshot(publication, files, {name: kind for name, kind, *_ in described}, unmasked)

    def read(self, snapshot: Snapshot, read: Read) -> Page:
        if not snapshot.files:
            return Page([], 0)
        columns = snapshot.columns
        where, params = where_clause(read, columns)
        tiebreak = [] if set(_TIEBREAK_COLUMNS) & set(columns) else list(_TIEBREAK_COLUMNS)
        source = _scan(snapshot.files, with_position=bool(tiebreak))
        row = "{" + ", ".join(f"{literal(c)}: {quote(c)}" for c in columns) + "}"
        with self._cursor() as con:
            try:
                if read.filters:
                    total = con.execute(f"select count(*) from {source} {where}", params).fetchone()[0]
                else:
                    total = snapshot.publication.rows
                found = con.execute(
                    f"select cast(to_json({row}) as varchar) from {source} {where} "
                    f"{order_clause(read, tiebreak)} limit ? offset ?", [*params, read.limit, read.offset]).fetchall()
            except duckdb.ConversionException:
                raise QueryError(_bad_value(con, read, columns)) from None
        return Page([r[0] for r in found], int(total))

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        with self._cursor() as con:
            return con.execute(query, params or []).fetchall()

    def _cursor(self):
        with self._lock:
            return self._con.cursor()

    def close(self) -> None:
        self._con.close()


def _scan(files: tuple[Path, ...], with_position: bool = False) -> str:
    position = ", filename = true, file_row_number = true" if with_position else ""
    return (f"read_parquet([{', '.join(literal(f) for f in files)}], hive_partitioning = false, "
            f"union_by_name = true{position})")


def _bad_value(con: duckdb.DuckDBPyConnection, read: Read, columns: Mapping[str, str]) -> str:
    """Which filter value does not cast to its column's type."""
    for f, value, kind in typed_values(read, columns):
        if con.execute(f"select try_cast(? as {kind}) is null", [value]).fetchone()[0]:
            return f"filters: {f.field}:{f.op}: value {value!r} is not a {kind}"
    return "filters: a value does not cast to its column's type"
