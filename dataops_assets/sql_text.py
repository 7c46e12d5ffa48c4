"""DuckDB SQL text for names and paths that come from files: quoted, never pasted in raw."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def quote(name: str) -> str:
    """An identifier (a column name from a file) as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str | Path) -> str:
    """A string or path as a SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def parquet_files(files: Iterable[Path]) -> str:
    """One relation over Parquet files whose columns may come in any order."""
    return f"read_parquet([{', '.join(literal(f) for f in files)}], union_by_name = true)"


def published_files(files: Iterable[Path], positions: bool = False) -> str:
    """One relation over a published version's files. Partition folders (`day=2026-11-01`) are not read as
    columns: the files hold them. `positions`: each row's `filename` and `file_row_number` too."""
    extra = ", filename = true, file_row_number = true" if positions else ""
    return (f"read_parquet([{', '.join(literal(f) for f in files)}], hive_partitioning = false, "
            f"union_by_name = true{extra})")
