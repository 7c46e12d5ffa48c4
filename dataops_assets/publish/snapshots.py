"""Immutable, versioned Parquet snapshots of a model and the `current` pointer readers follow.

    <published>/<product>/<model>/v=<n>/_publication.json   the record
                                  v=<n>/data.parquet          unpartitioned
                                  v=<n>/<column>=<value>/data_0.parquet   partitioned (hive style)
                                  current                     one line, "v=<n>"

A version is written into a hidden temporary folder, fsynced and renamed into place; only then is
`current` replaced (temporary file, fsync, rename). A reader following `current` sees a complete
version, the old or the new one, whenever the publisher dies.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

POINTER = "current"
RECORD = "_publication.json"
_VERSION = re.compile(r"^v=(\d+)$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Publication:
    product: str
    model: str
    version: int
    path: Path
    rows: int
    partition_column: str | None
    partition_rows: dict[str, int] = field(default_factory=dict)  # partition value -> rows
    partitions_written: tuple[str, ...] = ()  # written by this publication; the rest carried over
    run_id: str = ""
    published_at: str = ""  # UTC, ISO 8601 seconds, "Z"
    checks: tuple[dict, ...] = ()  # the check results it passed

    def to_json(self) -> dict[str, Any]:
        return {"product": self.product, "model": self.model, "version": self.version, "path": str(self.path),
                "rows": self.rows, "partition_column": self.partition_column, "partition_rows": self.partition_rows,
                "partitions_written": list(self.partitions_written), "run_id": self.run_id,
                "published_at": self.published_at, "checks": list(self.checks)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], path: Path) -> Publication:
        return cls(product=data["product"], model=data["model"], version=int(data["version"]), path=path,
                   rows=int(data["rows"]), partition_column=data.get("partition_column"),
                   partition_rows={str(k): int(v) for k, v in (data.get("partition_rows") or {}).items()},
                   partitions_written=tuple(data.get("partitions_written") or ()), run_id=data.get("run_id", ""),
                   published_at=data.get("published_at", ""), checks=tuple(data.get("checks") or ()))


def publish_snapshot(
    con: duckdb.DuckDBPyConnection,
    published_dir: Path,
    product: str,
    model: str,
    query: str,
    *,
    run_id: str,
    checks: Sequence[Mapping[str, Any]] = (),
    partition_column: str | None = None,
    partition_window: tuple[dt.date, dt.date] | None = None,
    keep: int = 5,
) -> Publication:
    """Write the query's rows as the model's next version and make it current.

    Partitioned: the rows are the partitions in `partition_window` ([start, end)); the previous
    current version's other partitions are carried over unchanged (hard links).
    """
    for name, value in (("product", product), ("model", model), ("partition_column", partition_column)):
        if value is not None and not _IDENTIFIER.match(value):
            raise ValueError(f"{name}: expected a lower-case identifier, got {value!r}")
    if (partition_column is None) != (partition_window is None):
        raise ValueError("partition_window: expected it exactly when partition_column is given")
    if keep < 1:
        raise ValueError(f"keep: expected a whole number >= 1, got {keep!r}")
    folder = Path(published_dir) / product / model
    folder.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(folder)
    previous = current_publication(published_dir, product, model)
    version = max(versions(published_dir, product, model), default=0) + 1
    tmp = folder / f".v={version}.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        if partition_column is None:
            con.execute(f"copy ({query}) to {_literal(tmp / 'data.parquet')} (format parquet)")
            rows = _count(con, tmp / "data.parquet")
            partition_rows, written = {}, ()
        else:
            partition_rows, written = _write_partitions(con, tmp, query, partition_column, partition_window, previous)
            rows = sum(partition_rows.values())
        publication = Publication(
            product=product, model=model, version=version, path=folder / f"v={version}", rows=rows,
            partition_column=partition_column, partition_rows=partition_rows, partitions_written=written,
            run_id=run_id, published_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            checks=tuple(dict(c) for c in checks),
        )
        (tmp / RECORD).write_text(json.dumps(publication.to_json(), indent=2) + "\n")
        _fsync_tree(tmp)
        os.rename(tmp, publication.path)
        _fsync(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap_pointer(folder, publication.path.name)
    _apply_retention(folder, keep, version)
    return publication


def current_publication(published_dir: Path, product: str, model: str) -> Publication | None:
    """The version `current` names, or None when nothing was published."""
    pointer = Path(published_dir) / product / model / POINTER
    if not pointer.exists():
        return None
    name = pointer.read_text().strip()
    path = pointer.parent / name
    record = path / RECORD
    if not _VERSION.match(name) or not record.exists():
        raise ValueError(f"{pointer}: expected the name of a published version folder, got {name!r}")
    try:
        return Publication.from_json(json.loads(record.read_text()), path)
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"{record}: malformed publication record") from None


def list_publications(published_dir: Path, product: str | None = None) -> list[Publication]:
    """The current publication of every model (of one product), sorted by product and model."""
    root = Path(published_dir)
    found = []
    for pointer in sorted(root.glob(f"{product or '*'}/*/{POINTER}")):
        publication = current_publication(root, pointer.parent.parent.name, pointer.parent.name)
        if publication is not None:
            found.append(publication)
    return found


def versions(published_dir: Path, product: str, model: str) -> list[int]:
    """Complete version folders present, ascending."""
    folder = Path(published_dir) / product / model
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if p.is_dir() and (m := _VERSION.match(p.name)))


def current_files(publication: Publication) -> list[Path]:
    """The Parquet files of a version, for readers."""
    return sorted(publication.path.rglob("*.parquet"))


def _write_partitions(con, tmp: Path, query: str, column: str, window: tuple[dt.date, dt.date],
                      previous: Publication | None) -> tuple[dict[str, int], tuple[str, ...]]:
    # DuckDB writes <column>=<value>/data_0.parquet per value; WRITE_PARTITION_COLUMNS keeps the
    # column inside the files too, so each file reads back whole without hive partitioning.
    con.execute(f"copy ({query}) to {_literal(tmp)} "
                f"(format parquet, partition_by (\"{column}\"), write_partition_columns true)")
    written = {}
    for part in sorted(tmp.glob(f"{column}=*")):
        value = part.name.split("=", 1)[1]
        if not _inside(value, window):
            raise ValueError(f"{column}: the query wrote partition {value!r} outside the window "
                             f"{window[0]}..{window[1]} (the caller's filter is wrong)")
        written[value] = _count(con, part / "*.parquet")
    rows = dict(written)
    if previous is not None:
        for value, count in previous.partition_rows.items():
            if _inside(value, window):
                continue
            source = previous.path / f"{column}={value}"
            target = tmp / source.name
            target.mkdir()
            for file in source.iterdir():
                _link_or_copy(file, target / file.name)
            rows[value] = count
    return dict(sorted(rows.items())), tuple(sorted(written))


def _inside(value: str, window: tuple[dt.date, dt.date]) -> bool:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    return window[0] <= day < window[1]


def _count(con, pattern: Path) -> int:
    return int(con.execute(f"select count(*) from read_parquet({_literal(pattern)})").fetchone()[0])


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _swap_pointer(folder: Path, name: str) -> None:
    tmp = folder / f"{POINTER}.tmp-{uuid.uuid4().hex}"
    with open(tmp, "w") as handle:
        handle.write(f"{name}\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / POINTER)
    _fsync(folder)


def _apply_retention(folder: Path, keep: int, current: int) -> None:
    present = versions(folder.parent.parent, folder.parent.name, folder.name)
    for version in present[:-keep]:
        if version != current:
            shutil.rmtree(folder / f"v={version}", ignore_errors=True)


def _remove_leftovers(folder: Path) -> None:
    """Temporary folders and pointers a killed publisher left (one publisher at a time)."""
    for path in folder.iterdir():
        if path.name.startswith(".v=") and ".tmp-" in path.name:
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(f"{POINTER}.tmp-"):
            path.unlink(missing_ok=True)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        _fsync(path)
    _fsync(root)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
