"""Suites as Dagster asset checks: one check per expectation, one step per checked model, reading
only what the run built through the DuckDB resource."""

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import dagster as dg

from dataops_assets.catalog.products import DataProduct
from dataops_assets.dbt.partitions import window_predicate
from dataops_assets.governance.masking import MaskingKeyError, needs_key
from dataops_assets.quality.expectations import DIMENSIONS
from dataops_assets.quality.score import Outcome, dimension_scores, overall_score, product_score
from dataops_assets.quality.suite import Expectation, Suite, computed_columns_sql, resolve_window
from dataops_assets.quality.validation import ExpectationResult, model_query, validate_frame
from dataops_assets.settings import DUCKDB_POOL
from dataops_assets.warehouse_resource import WarehouseResource

SCORE_KEY = "dataops/quality_score"
PRODUCT_SCORE_KEY = "dataops/product_quality_score"
DIMENSION_KEY = "dataops/quality/{}"
ROWS_KEY = "dataops/quality/rows_checked"
WINDOW_KEY = "dataops/quality/window"  # the partition window checked, e.g. 2026-11-25..2026-11-26
SLO_THRESHOLD_KEY = "dataops/quality/slo_threshold"  # where a threshold comes from, e.g. slos.freshness_minutes
OBSERVATIONS_SEARCHED = 50
SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


@dataclass(frozen=True)
class CheckedModel:
    """Where a suite's model lives: its asset key (from the translator), relation and partitioning."""

    key: dg.AssetKey
    relation: str
    partitions_def: dg.TimeWindowPartitionsDefinition | None = None
    partition_column: str | None = None


def build_suite_checks(
    suites: dict[str, Suite],
    models: dict[str, dict],
    products: dict[str, DataProduct],
    checked: Mapping[str, CheckedModel],
    as_of: dt.datetime | None = None,
    masking_key: Callable[[], bytes] | None = None,
) -> list[dg.AssetChecksDefinition]:
    """One multi-check per suite, wired to its model's key, partitions, PII masking and sibling models.

    `as_of` (Settings.as_of) is the instant as_of() in computed columns stands for; None: the check's now.
    """
    return [
        build_quality_checks(
            suite,
            checked[model],
            computed_sql=computed_columns_sql(suite, models, as_of),
            pii_masking=products[suite.product].example_masking(model),
            masking_key=masking_key,
            sibling_keys=tuple(checked[m].key for m, other in suites.items() if other.product == suite.product and m != model),
        )
        for model, suite in suites.items()
    ]


def _example_key(masking_key: Callable[[], bytes] | None, pii_masking: Mapping[str, str]) -> bytes | None:
    """The key for hashed or tokenized examples; None when none is needed or set (masking an example with
    a keyed strategy then fails the check with the key's one-line error: no example is shown unmasked)."""
    if masking_key is None or not needs_key(pii_masking):
        return None
    try:
        return masking_key()
    except MaskingKeyError:
        return None


def build_quality_checks(
    suite: Suite,
    model: CheckedModel,
    computed_sql: dict[str, str],
    pii_masking: dict[str, str],
    sibling_keys: tuple[dg.AssetKey, ...] = (),
    masking_key: Callable[[], bytes] | None = None,
) -> dg.AssetChecksDefinition:
    """Checks for one model: `error` expectations are blocking, so its publication waits for them.

    A partitioned model's checks are partitioned too: they read only the rows of the partition(s)
    the run built. `sibling_keys` are the product's other checked models: their latest scores and
    this one make the product score recorded beside the model's.
    """
    key = model.key
    specs = [
        dg.AssetCheckSpec(
            name=e.check_name,
            asset=key,
            blocking=e.blocking,
            description=check_description(e),
            metadata={"dimension": e.dimension, "severity": e.severity, "expectation": e.type, **slo_metadata(e)},
            partitions_def=model.partitions_def,
        )
        for e in suite.expectations
    ]

    @dg.multi_asset_check(specs=specs, name=f"quality_{suite.model}", can_subset=True, pool=DUCKDB_POOL,
                          description=f"Great Expectations suite {suite.path.name} on {suite.model}")
    def quality_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        window = checked_window(context, model)
        predicate = functools.partial(window_predicate, window=window) if window else None
        computed = {name: resolve_window(sql, predicate) for name, sql in computed_sql.items()}
        where = predicate(model.partition_column) if predicate else None
        with warehouse.get_connection() as con:
            frame = con.execute(model_query(suite, model.relation, computed, where)).df()
        baseline = previous_rows_checked(context, key, window_label(window))
        results = validate_frame(frame, suite, baseline, pii_masking, _example_key(masking_key, pii_masking))
        dimensions = dimension_scores(_outcome(r) for r in results)
        score = overall_score(dimensions)
        siblings = [latest_scores(context.instance, k)[0] for k in sibling_keys]
        metadata = score_metadata(score, dimensions, len(frame))
        if window:
            metadata[WINDOW_KEY] = dg.MetadataValue.text(window_label(window))
        overall = product_score([score, *siblings])
        if overall is not None:
            metadata[PRODUCT_SCORE_KEY] = dg.MetadataValue.float(overall)
        yield dg.AssetObservation(asset_key=key, metadata=metadata)
        selected = {check_key.name for check_key in context.selected_asset_check_keys}
        for result in results:
            if result.expectation.check_name in selected:
                yield check_result(key, result, score, window_label(window))

    return quality_checks


def checked_window(context: dg.AssetCheckExecutionContext, model: CheckedModel) -> dg.TimeWindow | None:
    """The partition window the run built (a single-run backfill: the whole range); None if unpartitioned."""
    if model.partitions_def is None:
        return None
    return context.partition_time_window


def check_description(e: Expectation) -> str:
    """The suite's description, plus the spec values of thresholds read from the product's SLOs."""
    text = e.description or f"{e.type} ({e.dimension}, {e.severity})"
    from_spec = ", ".join(f"{kwarg} {e.kwargs[kwarg]:g} from the product spec's slos.{name}"
                          for kwarg, name in e.slo_thresholds.items())
    return f"{text} [{from_spec}]" if from_spec else text


def slo_metadata(e: Expectation) -> dict[str, str]:
    """{SLO_THRESHOLD_KEY: "slos.<field>"} when a threshold comes from the product spec; else empty."""
    return {SLO_THRESHOLD_KEY: e.slo_threshold} if e.slo_thresholds else {}


def window_label(window: dg.TimeWindow | None) -> str:
    return f"{window.start:%Y-%m-%d}..{window.end:%Y-%m-%d}" if window else ""


def previous_rows_checked(context: dg.AssetCheckExecutionContext, key: dg.AssetKey, window: str) -> int | None:
    """Rows an earlier run's checks read for the same window (the whole model when unpartitioned):
    the baseline of volume checks. None when no earlier run checked that window."""
    records = context.instance.fetch_observations(dg.AssetRecordsFilter(asset_key=key), limit=OBSERVATIONS_SEARCHED).records
    for record in records:
        metadata = record.asset_observation.metadata
        if record.run_id == context.run.run_id or ROWS_KEY not in metadata:
            continue
        recorded = metadata.get(WINDOW_KEY)
        if (recorded.value if recorded else "") == window:
            return int(metadata[ROWS_KEY].value)
    return None


def latest_scores(instance: dg.DagsterInstance, key: dg.AssetKey) -> tuple[float | None, dict[str, float], float | None]:
    """The newest recorded (score, dimension scores, timestamp) of a model; (None, {}, None) if never scored."""
    for record in instance.fetch_observations(dg.AssetRecordsFilter(asset_key=key), limit=5).records:
        scores = scores_in(record.asset_observation.metadata)
        if scores is not None:
            return *scores, record.timestamp
    return None, {}, None


def scores_in(metadata: Mapping[str, dg.MetadataValue]) -> tuple[float, dict[str, float]] | None:
    """(score, dimension scores) when an observation's metadata carries a quality score, else None."""
    if SCORE_KEY not in metadata:
        return None
    dimensions = {d: metadata[DIMENSION_KEY.format(d)].value for d in DIMENSIONS if DIMENSION_KEY.format(d) in metadata}
    return metadata[SCORE_KEY].value, dimensions


def score_metadata(score: float | None, dimensions: dict[str, float], rows: int) -> dict[str, dg.MetadataValue]:
    metadata = {DIMENSION_KEY.format(d): dg.MetadataValue.float(v) for d, v in dimensions.items()}
    if score is not None:
        metadata[SCORE_KEY] = dg.MetadataValue.float(score)
    metadata[ROWS_KEY] = dg.MetadataValue.int(rows)
    return metadata


def check_result(key: dg.AssetKey, result: ExpectationResult, score: float | None, window: str = "") -> dg.AssetCheckResult:
    """One expectation's evaluation; `window` names the partitions it read (empty: the whole model)."""
    e = result.expectation
    metadata = {
        "dimension": e.dimension,
        "severity": e.severity,
        "rows_checked": dg.MetadataValue.int(result.element_count),
        "unexpected_count": dg.MetadataValue.int(result.unexpected_count or 0),
        "unexpected_percent": dg.MetadataValue.float(float(result.unexpected_percent or 0.0)),
        "observed_value": dg.MetadataValue.json({"value": result.observed_value}),
        "examples": dg.MetadataValue.json(result.examples),
        **slo_metadata(e),
    }
    if score is not None:
        metadata[SCORE_KEY] = dg.MetadataValue.float(score)
    if window:
        metadata[WINDOW_KEY] = dg.MetadataValue.text(window)
    return dg.AssetCheckResult(
        asset_key=key, check_name=e.check_name, passed=result.passed, severity=SEVERITY[e.severity], metadata=metadata
    )


def _outcome(result: ExpectationResult) -> Outcome:
    e = result.expectation
    percent = result.unexpected_percent if result.unexpected_count is not None else None
    return Outcome(e.check_name, e.dimension, e.severity, result.passed, percent)
