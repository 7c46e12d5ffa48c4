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
