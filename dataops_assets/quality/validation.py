"""Run a suite with Great Expectations on a pandas frame read from DuckDB (only the columns it needs)."""

from __future__ import annotations

import functools
import math
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dataops_assets.governance.masking import mask_value
from dataops_assets.quality.suite import Expectation, Suite, computed_columns_sql, resolve_window

EXAMPLES_KEPT = 5


@dataclass(frozen=True)
class ExpectationResult:
    expectation: Expectation
    passed: bool
    element_count: int
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: Any
    examples: list[Any]


def model_query(suite: Suite, relation: str, computed_sql: dict[str, str], where: str | None = None) -> str:
    """SELECT of just the suite's columns plus its computed columns, of the rows `where` keeps (all if None)."""
    items = [f'"{c}"' for c in suite.columns_read] + [f'{sql} as "{name}"' for name, sql in computed_sql.items()]
    return f"select {', '.join(items) or '1 as _row'} from {relation}" + (f" where {where}" if where else "")


_SOURCE_LOCK = threading.Lock()


def validate_table(con, suite: Suite, models: dict[str, dict[str, Any]], as_of, pii_masking: dict[str, str],
                   key: bytes | None = None) -> tuple[int, list[ExpectationResult]]:
    """The suite on every row of its model's table in `con` (no partition window, no volume baseline):
    rows read and the results. A check step adds the window and the baseline itself (quality/checks.py)."""
    computed = {n: resolve_window(sql, None) for n, sql in computed_columns_sql(suite, models, as_of).items()}
    frame = con.execute(model_query(suite, models[suite.model]["relation_name"], computed)).df()
    return len(frame), validate_frame(frame, suite, None, pii_masking, key)


def prepare_in_background() -> threading.Thread:
    """Import GX and build its context on a thread (about 3 s of imports), e.g. while a dbt
    subprocess runs and this process only waits for its output, so the first check does not pay it."""
    thread = threading.Thread(target=_pandas_source, name="gx-prepare", daemon=True)
    thread.start()
    return thread


def import_gx():
    """Great Expectations, imported safely: with pyspark installed (the spark extra) GX imports
    pyspark.sql.connect, which ends the process with exit code 0 when `__main__` has no file (`python -c`,
    pytest-xdist workers). The import sees a placeholder file for that moment."""
    main = sys.modules["__main__"]
    placeholder = getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
    if placeholder:
        main.__file__ = "<dataops>"
    try:
        import great_expectations
    finally:
        if placeholder:
            del main.__file__
    return great_expectations


def _pandas_source():
    with _SOURCE_LOCK:  # the first caller builds it, whichever thread that is
        return _new_pandas_source()


@functools.cache
def _new_pandas_source():
    """The process's one ephemeral GX context and its pandas data source."""
    gx = import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints each batch by hashing the whole frame, twice per validation, for a batch
    # marker we never read: that was over half the check time at scale 10. Frames above the
    # threshold are not hashed, so a threshold of 0 turns it off.
    pandas_execution_engine.HASH_THRESHOLD = 0

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context.data_sources.add_pandas(name="dataops")


@functools.cache
def _batch_definition(model: str):
    """One dataframe asset per model, registered once per process."""
    return _pandas_source().add_dataframe_asset(name=model).add_batch_definition_whole_dataframe("whole_frame")


def _gx_kwargs(expectation: Expectation, previous_row_count: int | None) -> dict[str, Any]:
    kwargs = dict(expectation.kwargs)
    if expectation.min_ratio_to_previous and previous_row_count:
        kwargs["min_value"] = max(kwargs.get("min_value") or 0, math.ceil(previous_row_count * expectation.min_ratio_to_previous))
    return kwargs


def validate_frame(
    frame: pd.DataFrame,
    suite: Suite,
    previous_row_count: int | None = None,
    pii_masking: dict[str, str] | None = None,
    key: bytes | None = None,
) -> list[ExpectationResult]:
    """Validate every expectation of the suite; examples of PII columns come back masked (`key`: the masking
    key, needed when a PII column is hashed or tokenized)."""
    import_gx()
    from great_expectations.core import ExpectationSuite

    gx_suite = ExpectationSuite(
        name=f"{suite.product}.{suite.model}",
        expectations=[
            {"type": e.type, "kwargs": _gx_kwargs(e, previous_row_count), "meta": {"check_name": e.check_name}}
            for e in suite.expectations
        ],
    )
    batch = _batch_definition(suite.model).get_batch(batch_parameters={"dataframe": frame})
    validation = batch.validate(gx_suite, result_format={"result_format": "SUMMARY",
                                                         "partial_unexpected_count": EXAMPLES_KEPT})
    by_name = {e.check_name: e for e in suite.expectations}
    results = []
    for gx_result in validation.results:
        expectation = by_name[gx_result.expectation_config.meta["check_name"]]
        details = gx_result.result or {}
        strategy = (pii_masking or {}).get(expectation.columns[0]) if expectation.columns else None
        examples = list(details.get("partial_unexpected_list") or [])[:EXAMPLES_KEPT]
        if strategy:
            examples = [mask_value(v, strategy, key) for v in examples]
        error = (gx_result.exception_info or {}).get("exception_message")
        results.append(ExpectationResult(
            expectation=expectation,
            passed=bool(gx_result.success),
            element_count=int(details.get("element_count") or len(frame)),
            unexpected_count=details.get("unexpected_count"),
            unexpected_percent=details.get("unexpected_percent"),
            observed_value=_plain(details.get("observed_value", error)),
            examples=[_plain(v) for v in examples],
        ))
    return results


def _plain(value: Any) -> Any:
    """JSON-friendly value for check metadata."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.bool_, np.number)):  # numpy scalars GX reports: their Python value
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
