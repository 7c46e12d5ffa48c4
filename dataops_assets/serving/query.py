"""A consumer's read of one published model: filters, sort and page, parsed and checked against its columns.

Nothing a caller sends becomes SQL text: field names must be columns of the version read (and are then
quoted), operators come from a fixed table, and values are bound parameters cast to the column's type.

    filters  field:value (equals) or field:op:value, op one of eq ne gt gte lt lte in like (a word
             between two colons is an operator: field:eq:a:b for the value 'a:b');
             `in` takes values separated by `|`; `like` takes a SQL LIKE pattern (% and _)
    sort     field:asc or field:desc, several separated by commas (or repeated)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dataops_assets.sql_text import quote

OPERATORS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "in": "in", "like": "like"}
DIRECTIONS = ("asc", "desc")
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_FILTERS = 20
IN_SEPARATOR = "|"
_OPERATOR_SHAPE = re.compile(r"^[a-z]+$")  # field:<word>:... names an operator


class QueryError(ValueError):
    """A request parameter the read cannot honour; the message names it and what was expected."""


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    values: tuple[str, ...]  # one, or several for `in`


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


@dataclass(frozen=True)
class Read:
    filters: tuple[Filter, ...] = ()
    sort: tuple[SortKey, ...] = ()
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def parse_read(filters: Sequence[str], sort: Sequence[str], limit: int | None, offset: int | None,
               columns: Mapping[str, str]) -> Read:
    """The request's read, checked against the model's columns (name -> DuckDB type)."""
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit: expected a whole number from 1 to {MAX_LIMIT}, got {limit}")
    if offset < 0:
        raise QueryError(f"offset: expected a whole number >= 0, got {offset}")
    parsed = tuple(parse_filter(text, columns) for text in _split_each(filters, None))
    if len(parsed) > MAX_FILTERS:
        raise QueryError(f"filters: expected at most {MAX_FILTERS}, got {len(parsed)}")
    keys = tuple(parse_sort(text, columns) for text in _split_each(sort, ","))
    seen = [k.field for k in keys]
    if len(set(seen)) != len(seen):
        raise QueryError(f"sort: expected each field once, got {', '.join(seen)}")
    return Read(parsed, keys, limit, offset)


def parse_filter(text: str, columns: Mapping[str, str]) -> Filter:
    field, sep, rest = text.partition(":")
    if not sep or not field:
        raise QueryError(f"filters: expected field:value or field:op:value, got {text!r}")
    _check_field("filters", field, columns)
    op, sep, value = rest.partition(":")
    if sep and _OPERATOR_SHAPE.match(op) and op not in OPERATORS:
        raise QueryError(f"filters: unknown operator {op!r} in {text!r}; expected one of {', '.join(OPERATORS)} "
                         f"(a value holding ':' after letters: {field}:eq:{rest})")
    if not (sep and op in OPERATORS):
        op, value = "eq", rest  # field:value, the value holding no ':' after a word (10:30, 2026-11-01T10:00)
    values = tuple(value.split(IN_SEPARATOR)) if op == "in" else (value,)
    return Filter(field, op, values)


def parse_sort(text: str, columns: Mapping[str, str]) -> SortKey:
    field, _, direction = text.strip().partition(":")
    _check_field("sort", field, columns)
    direction = direction or "asc"
    if direction not in DIRECTIONS:
        raise QueryError(f"sort: expected field:asc or field:desc, got {text!r}")
    return SortKey(field, direction == "desc")


def where_clause(read: Read, columns: Mapping[str, str]) -> tuple[str, list[str]]:
    """`where ...` (or '') and its parameters; each value is cast to its column's type by DuckDB."""
    terms, params = [], []
    for f in read.filters:
        column = quote(f.field)
        if f.op == "like":
            terms.append(f"cast({column} as varchar) like ?")
            params.append(f.values[0])
        elif f.op == "in":
            marks = ", ".join(f"cast(? as {columns[f.field]})" for _ in f.values)
            terms.append(f"{column} in ({marks})")
            params.extend(f.values)
        else:
            terms.append(f"{column} {OPERATORS[f.op]} cast(? as {columns[f.field]})")
            params.append(f.values[0])
    return (f"where {' and '.join(terms)}" if terms else ""), params


def order_clause(read: Read, tiebreak: Sequence[str]) -> str:
    """The caller's sort, then `tiebreak` (file and row number), so every page of a version is repeatable."""
    keys = [f"{quote(k.field)} {'desc' if k.descending else 'asc'} nulls last" for k in read.sort]
    return "order by " + ", ".join([*keys, *tiebreak])


def typed_values(read: Read, columns: Mapping[str, str]) -> list[tuple[Filter, str, str]]:
    """(filter, value, type) for each value that must cast to its column's type (all but `like`)."""
    return [(f, v, columns[f.field]) for f in read.filters if f.op != "like" for v in f.values]


def _check_field(parameter: str, field: str, columns: Mapping[str, str]) -> None:
    if field not in columns:
        raise QueryError(f"{parameter}: unknown field {field!r}; expected one of {', '.join(columns)}")


def _split_each(values: Sequence[str], separator: str | None) -> list[str]:
    found = []
    for value in values:
        parts = value.split(separator) if separator else [value]
        found.extend(p for p in parts if p.strip())
    return found
