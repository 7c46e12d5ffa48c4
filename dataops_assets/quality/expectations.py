"""The GX expectation types our suites may use: which kwargs name columns, how to break one, check names."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DIMENSIONS = ("completeness", "validity", "consistency", "timeliness", "uniqueness", "accuracy")
SEVERITIES = ("error", "warn")

Rows = dict[str, list]  # column -> values: a small frame, as plain data


@dataclass(frozen=True)
class ExpectationKind:
    column_kwargs: tuple[str, ...]  # kwargs holding one column name
    # A frame that breaks an expectation of this kind with these kwargs (None: cannot be broken),
    # so a test can show every expectation of every suite failing.
    violation: Callable[[dict[str, Any]], Rows | None]
    column_list_kwarg: str | None = None  # kwarg holding a list of column names
    row_level: bool = True  # reports unexpected rows (vs. one aggregate observed value)


def _outside(kwargs: dict[str, Any]) -> float | None:
    """A number below min_value or above max_value."""
    if kwargs.get("min_value") is not None:
        return kwargs["min_value"] - 1
    if kwargs.get("max_value") is not None:
        return kwargs["max_value"] + 1
    return None


def _column_value(value: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Rows | None]:
    def rows(kwargs: dict[str, Any]) -> Rows | None:
        found = value(kwargs)
        return None if found is None else {kwargs["column"]: [found]}
    return rows


def _not_in(value_set: list[Any]) -> str:
    return next(text for text in (f"not in set {i}" for i in range(len(value_set) + 1)) if text not in value_set)


def _not_matching(regex: str) -> str | None:
    probes = ("", "!", "not a match 0", "not a match 0123456789")
    return next((text for text in probes if re.search(regex, text) is None), None)


def _length_outside(kwargs: dict[str, Any]) -> str | None:
    if kwargs.get("min_value"):
        return "x" * (kwargs["min_value"] - 1)
    if kwargs.get("max_value") is not None:
        return "x" * (kwargs["max_value"] + 1)
    return None


def _row_count_outside(kwargs: dict[str, Any]) -> Rows | None:
    if (kwargs.get("min_value") or 0) >= 1:
        return {}
    if kwargs.get("max_value") is not None:
        return {"_row": [0] * (kwargs["max_value"] + 1)}
    return None


_AGGREGATE = ExpectationKind(("column",), _column_value(_outside), row_level=False)

SUPPORTED: dict[str, ExpectationKind] = {
    "expect_column_to_exist": ExpectationKind(("column",), lambda kwargs: {}, row_level=False),
    "expect_column_values_to_not_be_null": ExpectationKind(("column",), lambda kwargs: {kwargs["column"]: [None]}),
    "expect_column_values_to_be_null": ExpectationKind(("column",), _column_value(lambda kwargs: "not null")),
    "expect_column_values_to_be_unique": ExpectationKind(("column",), lambda kwargs: {kwargs["column"]: ["a", "a"]}),
    "expect_column_values_to_be_between": ExpectationKind(("column",), _column_value(_outside)),
    "expect_column_values_to_be_in_set": ExpectationKind(
        ("column",), _column_value(lambda kwargs: _not_in(kwargs["value_set"]))),
    "expect_column_values_to_not_be_in_set": ExpectationKind(
        ("column",), _column_value(lambda kwargs: (kwargs["value_set"] or [None])[0])),
    "expect_column_values_to_match_regex": ExpectationKind(
        ("column",), _column_value(lambda kwargs: _not_matching(kwargs["regex"]))),
    "expect_column_value_lengths_to_be_between": ExpectationKind(("column",), _column_value(_length_outside)),
    "expect_column_min_to_be_between": _AGGREGATE,
    "expect_column_max_to_be_between": _AGGREGATE,
    "expect_column_mean_to_be_between": _AGGREGATE,
    "expect_column_sum_to_be_between": _AGGREGATE,
    "expect_column_pair_values_a_to_be_greater_than_b": ExpectationKind(
        ("column_A", "column_B"), lambda kwargs: {kwargs["column_A"]: [0], kwargs["column_B"]: [1]}),
    "expect_column_pair_values_to_be_equal": ExpectationKind(
        ("column_A", "column_B"), lambda kwargs: {kwargs["column_A"]: [0], kwargs["column_B"]: [1]}),
    "expect_compound_columns_to_be_unique": ExpectationKind(
        (), lambda kwargs: {c: ["a", "a"] for c in kwargs["column_list"]}, column_list_kwarg="column_list"),
    "expect_table_row_count_to_be_between": ExpectationKind((), _row_count_outside, row_level=False),
}

_TYPE_PREFIXES = ("expect_column_values_to_", "expect_column_pair_values_", "expect_compound_columns_to_",
                  "expect_column_value_", "expect_column_", "expect_table_")


def columns_of(expectation_type: str, kwargs: dict) -> list[str]:
    """The column names an expectation reads (empty for table-level ones)."""
    kind = SUPPORTED[expectation_type]
    columns = [kwargs[k] for k in kind.column_kwargs if k in kwargs]
    if kind.column_list_kwarg:
        columns.extend(kwargs.get(kind.column_list_kwarg) or [])
    return columns


def default_check_name(expectation_type: str, kwargs: dict) -> str:
    """`customer_id_not_null`, `country_in_set`, `row_count_between`: subject + what is expected."""
    short = expectation_type
    for prefix in _TYPE_PREFIXES:
        if short.startswith(prefix):
            short = short[len(prefix):]
            break
    short = re.sub(r"(^|_)(to_)?be_", r"\1", short).removeprefix("to_").strip("_")
    subject = "_".join(columns_of(expectation_type, kwargs))
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{subject}_{short}" if subject else short)
