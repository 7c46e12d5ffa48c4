"""The GX expectation types our suites may use, which kwargs name columns, and check names."""

from __future__ import annotations

import re
from dataclasses import dataclass

DIMENSIONS = ("completeness", "validity", "consistency", "timeliness", "uniqueness", "accuracy")
SEVERITIES = ("error", "warn")


@dataclass(frozen=True)
class ExpectationKind:
    column_kwargs: tuple[str, ...]  # kwargs holding one column name
    column_list_kwarg: str | None = None  # kwarg holding a list of column names
    row_level: bool = True  # reports unexpected rows (vs. one aggregate observed value)


_COLUMN = ExpectationKind(("column",))
_AGGREGATE = ExpectationKind(("column",), row_level=False)

SUPPORTED: dict[str, ExpectationKind] = {
    "expect_column_to_exist": _AGGREGATE,
    "expect_column_values_to_not_be_null": _COLUMN,
    "expect_column_values_to_be_null": _COLUMN,
    "expect_column_values_to_be_unique": _COLUMN,
    "expect_column_values_to_be_between": _COLUMN,
    "expect_column_values_to_be_in_set": _COLUMN,
    "expect_column_values_to_not_be_in_set": _COLUMN,
    "expect_column_values_to_match_regex": _COLUMN,
    "expect_column_values_to_not_match_regex": _COLUMN,
    "expect_column_value_lengths_to_be_between": _COLUMN,
    "expect_column_min_to_be_between": _AGGREGATE,
    "expect_column_max_to_be_between": _AGGREGATE,
    "expect_column_mean_to_be_between": _AGGREGATE,
    "expect_column_sum_to_be_between": _AGGREGATE,
    "expect_column_pair_values_a_to_be_greater_than_b": ExpectationKind(("column_A", "column_B")),
    "expect_column_pair_values_to_be_equal": ExpectationKind(("column_A", "column_B")),
    "expect_compound_columns_to_be_unique": ExpectationKind((), column_list_kwarg="column_list"),
    "expect_table_row_count_to_be_between": ExpectationKind((), row_level=False),
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
