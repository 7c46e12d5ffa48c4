"""Turn CSV, JSON or Parquet files into a typed landing table (`dataops landing import`).

With a declared contract, every file is held to it: its columns exactly, and every value must cast
to its column's type; a problem is one line naming the file, the line, the column and the expected
type, and nothing is written. Without one, DuckDB infers the types from all the files together, and
the table is written with them; `propose_table` then reads a contract proposal off the result.
The table folder is replaced whole, swapped in only once every file is written.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dataops_assets.sources.landing_contract import LandingTable, Schema
from dataops_assets.sql_text import literal as _literal
from dataops_assets.sql_text import quote as _quote

FORMATS = ("csv", "json", "parquet")
ORIGIN_FILE = "_import.json"  # in the table folder: what was imported, so a contract proposal can name it
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_SUFFIXES = {"csv": (".csv",), "json": (".json", ".jsonl", ".ndjson"), "parquet": (".parquet",)}


class LandingImportError(ValueError):
    """A file cannot become the landing table: one line naming the file, column and expected type."""


@dataclass(frozen=True)
class ImportResult:
    source: str
    table: str
    folder: Path
    files: tuple[Path, ...]
    rows: int
    columns: Schema
    declared: bool


def input_files(path: Path, file_format: str | None) -> tuple[tuple[Path, ...], str]:
    """The files to import (a file, or every file of the format in a folder) and their format."""
    if not path.exists():
        raise LandingImportError(f"{path}: no such file or folder")
    if file_format is not None and file_format not in FORMATS:
        raise LandingImportError(f"--format: expected one of {', '.join(FORMATS)}, got {file_format!r}")
    if path.is_file():
        found = file_format or next((f for f, suffixes in _SUFFIXES.items() if path.suffix.lower() in suffixes), None)
        if found is None:
            raise LandingImportError(f"{path}: cannot tell the format from the suffix {path.suffix!r}, expected "
                                     f"--format {'|'.join(FORMATS)}")
        return (path,), found
    formats = [file_format] if file_format else list(FORMATS)
    for candidate in formats:
        files = tuple(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES[candidate]))
        if files:
            return files, candidate
    raise LandingImportError(f"{path}: no {' or '.join(formats)} files in the folder")


def _reader(file: Path | list[Path], file_format: str, as_text: bool) -> str:
    files = "[" + ", ".join(_literal(f) for f in file) + "]" if isinstance(file, list) else _literal(file)
    if file_format == "csv":
        return f"read_csv({files}, header = true, all_varchar = {str(as_text).lower()}, union_by_name = true)"
    if file_format == "json":
        return f"read_json_auto({files}, union_by_name = true)"
    return f"read_parquet({files}, union_by_name = true)"


def _describe(con: duckdb.DuckDBPyConnection, relation: str, where: str) -> Schema:
    try:
        return tuple((row[0], row[1]) for row in con.execute(f"describe select * from {relation}").fetchall())
    except duckdb.Error as exc:
        raise LandingImportError(f"{where}: unreadable ({str(exc).splitlines()[0]})") from None


def inferred_schema(con: duckdb.DuckDBPyConnection, files: tuple[Path, ...], file_format: str) -> Schema:
    """The columns and types DuckDB reads off all the files together (no contract to follow)."""
    where = str(files[0].parent if len(files) > 1 else files[0])
    return _describe(con, _reader(list(files), file_format, as_text=False), where)


def _file_problems(con: duckdb.DuckDBPyConnection, file: Path, file_format: str, expected: Schema,
                   label: str) -> list[str]:
    """How one file breaks the schema: missing or extra columns, values that do not cast (first one, and how many)."""
    relation = _reader(file, file_format, as_text=True)
    found = dict(_describe(con, relation, str(file)))
    types = dict(expected)
    missing = [f"{c} ({t})" for c, t in expected if c not in found]
    extra = [c for c in found if c not in types]
    problems = [f"{file}: missing column(s) {', '.join(missing)} of the landing contract of {label}"] if missing else []
    problems += [f"{file}: column(s) {', '.join(extra)} not in the landing contract of {label}"] if extra else []
    if problems:
        return problems
    offset = 1 if file_format == "csv" else 0  # CSV lines count the header
    for column, data_type in expected:
        value = f"cast({_quote(column)} as varchar)" if data_type == "VARCHAR" else _quote(column)
        bad = f"{_quote(column)} is not null and try_cast({value} as {data_type}) is null"
        try:
            count, first_row, first_value = con.execute(
                f"select count(*), min(row), arg_min(cast({_quote(column)} as varchar), row) from "
                f"(select *, row_number() over () as row from {relation}) where {bad}").fetchone()
        except duckdb.Error as exc:
            return [f"{file}: unreadable ({str(exc).splitlines()[0]})"]
        if count:
            where = f"line {first_row + offset}" if file_format == "csv" else f"row {first_row}"
            more = f" ({count} values in all)" if count > 1 else ""
            problems.append(f"{file} {where}: column {column!r} has {first_value!r}, expected {data_type}{more}")
    return problems


def import_landing(path: Path, landing_dir: Path, source: str, table: str, file_format: str | None,
                   declared: LandingTable | None) -> ImportResult:
    """Write <landing>/<source>/<table>/part-NNNN.parquet, one part per input file, typed by `declared`'s
    columns or, when None, by DuckDB's inference; LandingImportError (nothing written) on any problem."""
    for flag, name in (("--source", source), ("--table", table)):
        if not NAME.match(name):
            raise LandingImportError(f"{flag}: expected a lower-case identifier (letters, digits, _), got {name!r}")
    files, file_format = input_files(Path(path), file_format)
    label = f"{source}.{table}"
    folder = landing_dir / source / table
    work = folder.with_name(f".{table}.importing")
    with duckdb.connect(config={"threads": 2, "memory_limit": "1GB"}) as con:
        schema = declared.columns if declared else inferred_schema(con, files, file_format)
        problems = [p for file in files for p in _file_problems(con, file, file_format, schema, label)]
        if problems:
            raise LandingImportError("; ".join(problems))
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        rows = 0
        try:
            for number, file in enumerate(files):
                select = ", ".join(f"cast({_quote(c)} as {t}) as {_quote(c)}" for c, t in schema)
                rows += con.execute(f"copy (select {select} from {_reader(file, file_format, as_text=True)}) to "
                                    f"{_literal(work / f'part-{number:04d}.parquet')} (format parquet, compression zstd)"
                                    ).fetchone()[0]
            (work / ORIGIN_FILE).write_text(json.dumps({"path": str(Path(path).resolve()), "format": file_format}))
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    shutil.rmtree(folder, ignore_errors=True)
    work.rename(folder)
    return ImportResult(source, table, folder, files, rows, schema, declared is not None)
