"""One publish asset per public model: the audited rows become the next immutable published version."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import dagster as dg

from dataops_assets.dbt.partitions import window_predicate
from dataops_assets.governance.leak_checks import (
    PII_LEAK_CHECK, PiiLeakError, leak_check_spec, leak_metadata, snapshot_vet,
)
from dataops_assets.governance.masking import unmasked_model
from dataops_assets.publish.audit import (
    blocking_failures, describe, latest_build_failures, latest_materialization_run, outcomes_in_run,
)
from dataops_assets.publish.snapshots import publish_snapshot
from dataops_assets.settings import DUCKDB_POOL, Settings
from dataops_assets.sql_text import quote
from dataops_assets.warehouse_resource import WarehouseResource

# A publish asset is `published_<model>`: one name, so the lineage graph tells it from the model.
PUBLISHED_PREFIX = "published_"


@dataclass(frozen=True)
class PublishTarget:
    """A public model, the checks that audit it, and the checked models it reads (staging, other products)."""

    product: str
    model: str
    model_key: dg.AssetKey
    query: str  # the model's rows (model_query)
    checks: Mapping[dg.AssetCheckKey, str]  # every check on the model -> its severity
    upstream: Mapping[dg.AssetKey, Mapping[dg.AssetCheckKey, str]] = field(default_factory=dict)
    partitions_def: dg.TimeWindowPartitionsDefinition | None = None
    partition_column: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    owners: tuple[str, ...] = ()
    freshness_policy: dg.FreshnessPolicy | None = None  # the product's freshness SLO
    retry_policy: dg.RetryPolicy | None = None  # the product's retries (a refused publication is never retried)
    # The model's rows before masking (its contract columns from the model it masks), published beside each
    # version under settings.restricted_dir for callers holding the PII grant; None: no PII to unmask.
    unmasked_query: str | None = None


def model_query(models: Mapping[str, Mapping], name: str, source: str | None = None) -> str:
    """A model's contract columns in contract order (Spark keeps a partition column last), read from the
    model itself or from `source`."""
    columns = ", ".join(quote(c) for c in models[name].get("columns", {})) or "*"
    return f"select {columns} from {models[source or name]['relation_name']}"


def unmasked_query(models: Mapping[str, Mapping], name: str) -> str | None:
    """The public model's contract columns read from the model it masks (`masked_columns(ref(X))`): the
    rows of its unmasked variant; None when it masks no model."""
    source = unmasked_model(models[name])
    if source is None or source not in models:
        return None
    return model_query(models, name, source)


def publish_asset_key(model: str) -> dg.AssetKey:
    return dg.AssetKey(f"{PUBLISHED_PREFIX}{model}")


def build_publish_asset(target: PublishTarget, settings: Settings) -> dg.AssetsDefinition:
    """Publishes what this run built, only if its `error` checks passed and so did those of the
    latest build of every model it reads (built in this run or an earlier one: the staging layer,
    other products' public models); otherwise fails and the previous version stays current.

    The model masks its PII itself (macros/masking.sql); the version's files are scanned for PII before
    `current` names them (the `pii_leak` check of the publish asset), and a leak publishes nothing."""
    partitioned = target.partitions_def is not None
    folder = settings.published_dir / target.product / target.model

    @dg.asset(
        key=publish_asset_key(target.model),
        deps=[target.model_key],
        group_name=target.product,
        partitions_def=target.partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitioned else None,
        pool=DUCKDB_POOL,
        freshness_policy=target.freshness_policy,
        retry_policy=target.retry_policy,
        kinds={"parquet"},
        check_specs=[leak_check_spec(publish_asset_key(target.model))],
        owners=list(target.owners),
        tags=dict(target.tags),
        description=f"Published snapshots of {target.model}: {folder}/v=<n>, `current` names the readable one.",
        metadata={"dataops/published_dir": dg.MetadataValue.path(str(folder))},
    )
    def publish(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        run_id = context.run.run_id
        if latest_materialization_run(context.instance, target.model_key) != run_id:
            raise dg.Failure(description=(
                f"{target.model}: not built in this run; publication only takes rows a run has just "
                f"built and audited: select {target.model} with {publish_asset_key(target.model).to_user_string()}"),
                allow_retries=False)
        outcomes = outcomes_in_run(context.instance, target.checks, run_id)
        failures = blocking_failures(outcomes) + latest_build_failures(context.instance, target.upstream)
        if failures:
            raise dg.Failure(description=(
                f"{target.model}: not published, the previous version stays current; failed error "
                f"checks: {describe(failures)}"), allow_retries=False)
        window = context.partition_time_window if partitioned else None
        query = target.query
        unmasked = target.unmasked_query
        if window is not None:
            query += f" where {window_predicate(target.partition_column, window)}"
            unmasked = unmasked and f"{unmasked} where {window_predicate(target.partition_column, window)}"
        leaks: dict[str, int] = {}
        try:
            with warehouse.get_connection() as con:
                publication = publish_snapshot(
                    con, settings.published_dir, target.product, target.model, query,
                    run_id=run_id,
                    checks=[o.to_json() for o in outcomes],
                    partition_column=target.partition_column,
                    partition_window=(window.start.date(), window.end.date()) if window else None,
                    keep=settings.keep_versions,
                    vet=snapshot_vet(target.model, settings.landing_dir, leaks),
                    unmasked=(settings.restricted_dir, unmasked) if unmasked else None,
                )
        except PiiLeakError as exc:
            yield dg.AssetCheckResult(check_name=PII_LEAK_CHECK, passed=False, severity=dg.AssetCheckSeverity.ERROR,
                                      description=str(exc), metadata=leak_metadata(leaks, "the version to publish"))
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        context.log.info(f"published {target.model} v={publication.version}: {publication.rows} rows at {publication.path}")
        passed = dg.AssetCheckResult(check_name=PII_LEAK_CHECK, passed=True, severity=dg.AssetCheckSeverity.ERROR,
                                     metadata=leak_metadata({}, f"v={publication.version}"))
        yield dg.MaterializeResult(check_results=[passed], metadata={
            "dataops/version": dg.MetadataValue.int(publication.version),
            "dagster/row_count": dg.MetadataValue.int(publication.rows),
            "dataops/source_run_id": dg.MetadataValue.text(run_id),
            "dataops/path": dg.MetadataValue.path(str(publication.path)),
            "dataops/published_at": dg.MetadataValue.text(publication.published_at),
            "dataops/partitions_written": dg.MetadataValue.json(list(publication.partitions_written)),
            "dataops/checks_passed": dg.MetadataValue.json([o.to_json() for o in outcomes if o.passed]),
        })

    return publish

