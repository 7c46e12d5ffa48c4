"""Map dbt resources to Dagster asset specs: group = product, owners, tags and spec metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from dataops_assets.catalog.products import DataProduct, model_id
from dataops_assets.catalog.spec import Partitioning
from dataops_assets.slo.policies import freshness_policy

LANDING_GROUP = "landing"
# Quality dimension of a dbt test, by generic test; a test's `meta.dimension` overrides it.
DBT_TEST_DIMENSIONS = {
    "unique": "uniqueness",
    "unique_combination": "uniqueness",
    "not_null": "completeness",
    "relationships": "consistency",
    "accepted_values": "validity",
    "no_invalid_values": "validity",
}
# The platform group that reads the landing zone; its owner also owns the landing assets.
PLATFORM_GROUP = "staging"
# Asset tag naming the partitions definition: `dagster asset materialize --select tag:partitions=daily`.
PARTITIONS_TAG = "partitions"


class DataProductTranslator(DagsterDbtTranslator):
    """Built once per set of products; every attribute is derived from dbt metadata."""

    def __init__(self, products: Mapping[str, DataProduct]):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self._products = products

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return landing_asset_key(dbt_resource_props["source_name"], dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        product = self._products.get(props.get("group") or "")
        spec = spec.replace_attributes(
            group_name=_group_for(props),
            owners=_owners_for(manifest, props, product),
        ).merge_attributes(tags={PARTITIONS_TAG: partitioning_of(props, product).value})
        if product is None:
            return spec
        spec = spec.merge_attributes(tags=_tags_for(product), metadata=_metadata_for(props, product))
        if model_id(props) in product.public_models:
            spec = spec.replace_attributes(freshness_policy=freshness_policy(product.spec.slos))
        return spec


    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetCheckSpec | None:
        """dbt tests never block in Dagster: a failed `error` test stops its model's publication (the
        publish gate reads its result), not the whole dbt step with every other model in it."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        metadata = {**spec.metadata, **_check_metadata_for(manifest["nodes"].get(unique_id) or {})}
        return spec._replace(metadata=metadata, blocking=False)


def partitioning_of(props: Mapping[str, Any], product: DataProduct | None) -> Partitioning:
    """A partitioned product's public models carry its partitions; every other node is unpartitioned."""
    if product is None or props.get("resource_type") != "model" or model_id(props) not in product.partition_columns:
        return Partitioning.NONE
    return product.partitioning


def landing_asset_key(source_name: str, table_name: str) -> dg.AssetKey:
    return dg.AssetKey([LANDING_GROUP, source_name, table_name])


def _group_for(props: Mapping[str, Any]) -> str:
    if props["resource_type"] == "source":
        return LANDING_GROUP
    return props.get("group") or PLATFORM_GROUP


def _owners_for(manifest: Mapping[str, Any], props: Mapping[str, Any], product: DataProduct | None) -> list[str]:
    if product is not None:
        return [product.spec.owner.email, f"team:{product.spec.team}"]
    group = manifest.get("groups", {}).get(f"group.{manifest['metadata']['project_name']}.{PLATFORM_GROUP}")
    email = ((group or {}).get("owner") or {}).get("email")
    return [email] if email else []


def _check_metadata_for(test: Mapping[str, Any]) -> dict[str, str]:
    """A dbt test's severity (error blocks, warn does not) and quality dimension, as the report shows them."""
    config = test.get("config") or {}
    meta = config.get("meta") or test.get("meta") or {}
    dimension = meta.get("dimension") or DBT_TEST_DIMENSIONS.get((test.get("test_metadata") or {}).get("name"))
    found = {"severity": str(config.get("severity") or "error").lower(), "dimension": dimension}
    return {key: value for key, value in found.items() if value}


def _tags_for(product: DataProduct) -> dict[str, str]:
    """Product tags in the UI; each certification is a key-only tag `certification/<name>`."""
    return {
        "data_product": product.id,
        "domain": product.spec.domain,
        "classification": product.spec.classification.value,
        "lifecycle_status": product.spec.status.value,
        **{f"certification/{name}": "" for name in product.spec.certifications},
    }


def _metadata_for(props: Mapping[str, Any], product: DataProduct) -> dict[str, Any]:
    pii = [f.column for f in product.spec.pii_fields if f.model == model_id(props)]
    return {
        "dataops/product": dg.MetadataValue.json(product.spec.model_dump(mode="json")),
        "dataops/classification": product.spec.classification.value,
        "dataops/access": props.get("access") or "protected",
        "dataops/pii_columns": dg.MetadataValue.json(pii),
        "dataops/spec_file": product.spec_file,
    }
