"""Suites as Dagster asset checks: one check per expectation, one step per checked model."""

from collections.abc import Mapping
from pathlib import Path

import dagster as dg
import duckdb

from dataops_assets.quality.expectations import DIMENSIONS
from dataops_assets.quality.score import Outcome, dimension_scores, overall_score, product_score
from dataops_assets.catalog.products import DataProduct
from dataops_assets.quality.suite import Suite, resolve_refs
from dataops_assets.quality.validation import ExpectationResult, model_query, validate_frame
from dataops_assets.settings import DUCKDB_POOL

SCORE_KEY = "dataops/quality_score"
PRODUCT_SCORE_KEY = "dataops/product_quality_score"
DIMENSION_KEY = "dataops/quality/{}"
SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


def build_suite_checks(
    suites: dict[str, Suite],
    models: dict[str, dict],
    products: dict[str, DataProduct],
    warehouse_path: Path,
) -> list[dg.AssetChecksDefinition]:
    """One multi-check per suite, wired to its model's relation, PII masking and sibling models."""
    return [
        build_quality_checks(
            suite,
            relation=models[model]["relation_name"],
            computed_sql={name: resolve_refs(sql, models) for name, sql in suite.computed_columns.items()},
            pii_masking=products[suite.product].pii_masking(model),
            warehouse_path=warehouse_path,
            sibling_models=tuple(m for m, other in suites.items() if other.product == suite.product and m != model),
        )
        for model, suite in suites.items()
    ]


def build_quality_checks(
    suite: Suite,
    relation: str,
    computed_sql: dict[str, str],
    pii_masking: dict[str, str],
    warehouse_path: Path,
    sibling_models: tuple[str, ...] = (),
) -> dg.AssetChecksDefinition:
    """Checks for one model: `error` expectations are blocking, so downstream models wait for them.

    `sibling_models` are the product's other checked models: their latest scores and this one make
    the product score recorded beside the model's.
    """
    key = dg.AssetKey(suite.model)
    specs = [
        dg.AssetCheckSpec(
            name=e.check_name,
            asset=key,
            blocking=e.blocking,
            description=e.description or f"{e.type} ({e.dimension}, {e.severity})",
            metadata={"dimension": e.dimension, "severity": e.severity, "expectation": e.type},
        )
        for e in suite.expectations
    ]
    query = model_query(suite, relation, computed_sql)

    @dg.multi_asset_check(specs=specs, name=f"quality_{suite.model}", can_subset=True, pool=DUCKDB_POOL,
                          description=f"Great Expectations suite {suite.path.name} on {suite.model}")
    def quality_checks(context: dg.AssetCheckExecutionContext):
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            frame = con.execute(query).df()
        results = validate_frame(frame, suite, previous_row_count(context, key), pii_masking)
        dimensions = dimension_scores(_outcome(r) for r in results)
        score = overall_score(dimensions)
        siblings = [latest_scores(context.instance, dg.AssetKey(m))[0] for m in sibling_models]
        metadata = score_metadata(score, dimensions, len(frame))
        overall = product_score([score, *siblings])
        if overall is not None:
            metadata[PRODUCT_SCORE_KEY] = dg.MetadataValue.float(overall)
        yield dg.AssetObservation(asset_key=key, metadata=metadata)
        selected = {check_key.name for check_key in context.selected_asset_check_keys}
        for result in results:
            if result.expectation.check_name in selected:
                yield check_result(key, result, score)

    return quality_checks


def previous_row_count(context: dg.AssetCheckExecutionContext, key: dg.AssetKey) -> int | None:
    """Row count of the materialization before this run's (the baseline for volume checks)."""
    records = context.instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=key), limit=2).records
    earlier = [r for r in records if r.run_id != context.run.run_id]
    if not earlier:
        return None
    rows = earlier[0].asset_materialization.metadata.get("dagster/row_count")
    return int(rows.value) if rows is not None else None


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
    metadata["dataops/quality/rows_checked"] = dg.MetadataValue.int(rows)
    return metadata


def check_result(key: dg.AssetKey, result: ExpectationResult, score: float | None) -> dg.AssetCheckResult:
    e = result.expectation
    metadata = {
        "dimension": e.dimension,
        "severity": e.severity,
        "rows_checked": dg.MetadataValue.int(result.element_count),
        "unexpected_count": dg.MetadataValue.int(result.unexpected_count or 0),
        "unexpected_percent": dg.MetadataValue.float(float(result.unexpected_percent or 0.0)),
        "observed_value": dg.MetadataValue.json({"value": result.observed_value}),
        "examples": dg.MetadataValue.json(result.examples),
    }
    if score is not None:
        metadata[SCORE_KEY] = dg.MetadataValue.float(score)
    return dg.AssetCheckResult(
        asset_key=key, check_name=e.check_name, passed=result.passed, severity=SEVERITY[e.severity], metadata=metadata
    )


def _outcome(result: ExpectationResult) -> Outcome:
    e = result.expectation
    percent = result.unexpected_percent if result.unexpected_count is not None else None
    return Outcome(e.check_name, e.dimension, e.severity, result.passed, percent)
