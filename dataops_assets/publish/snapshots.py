"""Writing immutable, versioned Parquet snapshots of a model and swapping the `current` pointer
(the layout and its readers: records.py).

A version is written into a hidden temporary folder, fsynced and renamed into place; only then is
`current` replaced (temporary file, fsync, rename). A reader following `current` sees a complete
version, the old or the new one, whenever the publisher dies. One publisher per model at a time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from dataops_assets.publish.records import (
    IDENTIFIER, POINTER, RECORD, VERSION_NAME, Publication, current_publication, versions,
)
from dataops_assets.sql_text import literal as _literal


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
    vet: Callable[[duckdb.DuckDBPyConnection, list[Path]], None] | None = None,
    unmasked: tuple[Path, str] | None = None,
) -> Publication:
    """Write the query's rows as the model's next version, make it current, drop versions beyond `keep`.

    Partitioned: the query's rows are the partitions in `partition_window` ([start, end)); the
    current version's other partitions are carried over unchanged (hard links, same bytes).
    `vet` is given the version's files before anything is renamed: if it raises, the version is
    removed and the current one stays (the PII scan of publication).
    `unmasked` = (restricted root, query): the same version of the model's unmasked rows, written under
    the restricted root (owner-only) before `current` is swapped, so whenever `current` names v=<n> its
    unmasked v=<n> is complete too; it is dropped with its masked version.
    """
    _check_arguments(product, model, partition_column, partition_window, keep)
    folder = Path(published_dir) / product / model
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        _fsync(folder.parent)
        _fsync(folder.parent.parent)
    _remove_leftovers(folder)
    previous = current_publication(published_dir, product, model)
    # Past every v=<n> name, complete or not: a number is never reused.
    version = max((int(m.group(1)) for p in folder.iterdir() if (m := VERSION_NAME.match(p.name))), default=0) + 1
    tmp = folder / f".v={version}.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        rows, partition_rows, written = _write_rows(con, tmp, query, partition_column, partition_window, previous)
        publication = Publication(
            product=product, model=model, version=version, path=folder / f"v={version}", rows=rows,
            partition_column=partition_column, partition_rows=partition_rows, partitions_written=written,
            run_id=run_id, published_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            checks=tuple(dict(c) for c in checks),
        )
        if vet is not None:
            vet(con, sorted(tmp.rglob("*.parquet")))
        (tmp / RECORD).write_text(json.dumps(publication.to_json(), indent=2) + "\n")
        _fsync_tree(tmp)
        if unmasked is not None:
            _write_unmasked(con, *unmasked, publication, partition_window, previous)
        os.rename(tmp, publication.path)
        _fsync(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap_pointer(folder, publication.path.name)
    _apply_retention(folder, keep, version)
    if unmasked is not None:
        _drop_unmatched(unmasked[0] / product / model, versions(published_dir, product, model))
    return publication


def _write_rows(con: duckdb.DuckDBPyConnection, tmp: Path, query: str, column: str | None,
                window: tuple[dt.date, dt.date] | None, previous: Publication | None,
                ) -> tuple[int, dict[str, int], tuple[str, ...]]:
    """The query's rows into `tmp`: (rows, rows per partition, partitions written)."""
    if column is None:
        con.execute(f"copy ({query}) to {_literal(tmp / 'data.parquet')} (format parquet)")
        return _file_rows(con, [tmp / "data.parquet"])[0], {}, ()
    partition_rows, written = _write_partitions(con, tmp, query, column, window, previous)
    return sum(partition_rows.values()), partition_rows, written


def _write_unmasked(con: duckdb.DuckDBPyConnection, root: Path, query: str, publication: Publication,
                    window: tuple[dt.date, dt.date] | None, previous: Publication | None) -> None:
    """The unmasked twin of `publication`, renamed into place as <root>/<product>/<model>/v=<n>."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)
    folder = root / publication.product / publication.model
    folder.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(folder)
    tmp = folder / f".{publication.path.name}.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        # Partitions carried over come from the previous version's twin, if it has one.
        twin = previous and dataclasses.replace(previous, path=folder / previous.path.name)
        rows = _write_rows(con, tmp, query, publication.partition_column, window,
                           twin if twin and twin.path.is_dir() else None)[0]
        record = dataclasses.replace(publication, rows=rows, path=folder / publication.path.name)
        (tmp / RECORD).write_text(json.dumps(record.to_json(), indent=2) + "\n")
        _fsync_tree(tmp)
        shutil.rmtree(record.path, ignore_errors=True)  # a twin left by a publication that died before its swap
        os.rename(tmp, record.path)
        _fsync(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _drop_unmatched(folder: Path, kept: list[int]) -> None:
    """Unmasked versions whose masked version is gone (retention), and leftovers."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        match = VERSION_NAME.match(path.name)
        if match and int(match.group(1)) not in kept:
            shutil.rmtree(path, ignore_errors=True)


def _check_arguments(product: str, model: str, column: str | None, window: tuple[dt.date, dt.date] | None,
                     keep: int) -> None:
    # These become folder names and SQL.
    for name, value in (("product", product), ("model", model), ("partition_column", column)):
        if value is not None and not (isinstance(value, str) and IDENTIFIER.match(value)):
            raise ValueError(f"{name}: expected a lower-case identifier matching {IDENTIFIER.pattern}, got {value!r}")
    if (column is None) != (window is None):
        raise ValueError(f"partition_window: expected a [start, end) date pair exactly when partition_column "
                         f"is given, got {window!r} with partition_column {column!r}")
    if window is not None and not (all(type(d) is dt.date for d in window) and window[0] < window[1]):
        raise ValueError(f"partition_window: expected two dates, start < end, got {window!r}")
    if keep < 1:
        raise ValueError(f"keep: expected a whole number >= 1, got {keep!r}")


def _write_partitions(con: duckdb.DuckDBPyConnection, tmp: Path, query: str, column: str,
                      window: tuple[dt.date, dt.date], previous: Publication | None,
                      ) -> tuple[dict[str, int], tuple[str, ...]]:
    if previous is not None and previous.partition_column != column:
        raise ValueError(f"partition_column: expected {previous.partition_column!r} as {previous.path} is "
                         f"partitioned by it, got {column!r}; remove {previous.path.parent} to start over")
    # DuckDB 2.0.1 writes <column>=<value>/data_0.parquet per value (a DATE as 2026-11-01; other
    # values URL-encoded, NULL as __HIVE_DEFAULT_PARTITION__), nothing for an empty result, and
    # without WRITE_PARTITION_COLUMNS drops the column from the files: keep it so a file reads whole.
    con.execute(f"copy ({query}) to {_literal(tmp)} "
                f"(format parquet, partition_by (\"{column}\"), write_partition_columns true)")
    folders = {part.name.split("=", 1)[1]: part for part in sorted(tmp.glob(f"{column}=*"))}
    outside = sorted(value for value in folders if not _inside(value, window))
    if outside:
        raise ValueError(f"{column}: the query wrote partitions {', '.join(outside)} outside the window "
                         f"{window[0]}..{window[1]}; expected the caller to filter to the window that ran")
    written = {}
    for value, part in folders.items():
        written[value] = sum(_file_rows(con, sorted(part.glob("*.parquet"))))
    rows = dict(written)
    for value, count in (previous.partition_rows.items() if previous else ()):
        if _inside(value, window):
            continue
        source = previous.path / f"{column}={value}"
        (tmp / source.name).mkdir()
        for file in sorted(source.iterdir()):
            _link_or_copy(file, tmp / source.name / file.name)
        rows[value] = count
    return dict(sorted(rows.items())), tuple(sorted(written))


def _inside(value: str, window: tuple[dt.date, dt.date]) -> bool:
    """Whether a partition folder's value is a day in [start, end); a value that is no date is not."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    return window[0] <= day < window[1]


def _file_rows(con: duckdb.DuckDBPyConnection, files: list[Path]) -> list[int]:
    """Rows of each file read back from its Parquet footer (listed, never globbed: paths may hold `[`)."""
    if not files:
        return []
    found = dict(con.execute(f"select file_name, num_rows from parquet_file_metadata("
                             f"[{', '.join(_literal(f) for f in files)}])").fetchall())
    return [int(found[str(f)]) for f in files]


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # e.g. another filesystem
        shutil.copy2(source, target)


def _swap_pointer(folder: Path, name: str) -> None:
    tmp = folder / f"{POINTER}.tmp-{uuid.uuid4().hex}"
    try:
        with open(tmp, "w") as handle:
            handle.write(f"{name}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / POINTER)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync(folder)


def _apply_retention(folder: Path, keep: int, current: int) -> None:
    """Drop versions beyond the newest `keep`, never the current one.

    Each is first renamed to a temporary name, so a publisher killed while deleting leaves a
    leftover the next publication removes, never a half-deleted v=<n>.
    """
    present = versions(folder.parent.parent, folder.parent.name, folder.name)
    for version in present[:-keep]:
        if version != current:
            doomed = folder / f".v={version}.tmp-{uuid.uuid4().hex}"
            try:
                os.rename(folder / f"v={version}", doomed)
            except OSError:  # the new version is current already: an old one left over is no failure
                continue
            shutil.rmtree(doomed, ignore_errors=True)


def _remove_leftovers(folder: Path) -> None:
    """Temporary folders and pointers a killed publisher left."""
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
