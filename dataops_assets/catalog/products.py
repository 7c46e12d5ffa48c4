"""Data products loaded from the dbt manifest: one per dbt group that carries a spec."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dataops_assets.catalog.errors import SpecError
from dataops_assets.catalog.spec import DataProductSpec, Partitioning, Slos
from dataops_assets.slo.cadence import derived_schedule, is_cron, longest_gap_minutes

PRODUCTS_DIR = "models/products/"


@dataclass(frozen=True)
class DataProduct:
    """A validated spec plus what the manifest says about the product's models."""

    spec: DataProductSpec
    spec_file: str
    models: tuple[str, ...]
    public_models: tuple[str, ...]
    upstream_products: tuple[str, ...]
    sources: tuple[str, ...]
    # Public model -> its partition column (the model's `partition_column` config); {} when unpartitioned.
    partition_columns: dict[str, str] = field(default_factory=dict)
    # Public model -> the columns its served copy is ordered by (the model's `cluster_by` config), so the
    # serving layer's filters on them skip the row groups they cannot match; absent: publication order.
    cluster_by: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def partitioning(self) -> Partitioning:
        return self.spec.partitions

    @property
    def refresh_schedule(self) -> str:
        """The spec's cron, or the one derived from its freshness budget."""
        return self.spec.refresh_schedule or derived_schedule(self.spec.slos.freshness_minutes)

    def pii_masking(self, model: str) -> dict[str, str]:
        """Column -> masking strategy for the PII columns of one of the product's models."""
        return {f.column: f.masking.value for f in self.spec.pii_fields if f.model == model}

    def example_masking(self, model: str) -> dict[str, str]:
        """Column -> strategy for the examples a check of `model` shows. A public model's values are masked
        already (by the model, guarded by its pii_leak check); any other model of the product may hold the
        raw value of every PII column the product masks, by column name."""
        if model in self.public_models:
            return {}
        return {f.column: f.masking.value for f in self.spec.pii_fields}


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise SpecError(f"{path}: dbt manifest not found; expected `dbt parse` to have written it") from None


def model_id(node: dict[str, Any]) -> str:
    """What the platform calls a model: its name, or for one version of a versioned model its relation's
    alias (dbt's default `<name>_v<n>`, or the alias a version keeps, e.g. v1 keeping the unversioned name
    so its consumers read on). dagster-dbt keys a versioned model's asset the same way."""
    return node["alias"] if node.get("version") is not None else node["name"]


def dbt_selector(node: dict[str, Any]) -> str:
    """How dbt's --select names the model (a version: `<name>.v<n>`)."""
    return f"{node['name']}.v{node['version']}" if node.get("version") is not None else node["name"]


def models_by_name(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every dbt model node of the manifest, keyed by model id (model_id: each version on its own)."""
    return {model_id(n): n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def load_products(manifest: dict[str, Any]) -> dict[str, DataProduct]:
    """Every product in the manifest, keyed by id; raises SpecError on the first invalid spec."""
    _check_folder_groups(manifest)
    models_by_group = _models_by_group(manifest)
    product_groups = sorted(
        (g for g in manifest.get("groups", {}).values() if _is_product_group(g)), key=lambda g: g["name"]
    )
    names = {g["name"] for g in product_groups}
    product_group_of = {
        uid: node["group"] for uid, node in manifest["nodes"].items() if node.get("group") in names
    }
    products = {}
    for group in product_groups:
        spec = _validate_spec(group, (group.get("config") or {}).get("meta") or {})
        models = models_by_group.get(group["name"], [])
        _check_models(group, spec, models)
        partition_columns = _partition_columns(group, spec, models, manifest["metadata"].get("adapter_type", "duckdb"))
        upstream_products, sources = _upstream_of(manifest, models, product_group_of)
        products[spec.id] = DataProduct(
            spec=spec,
            spec_file=group["original_file_path"],
            models=tuple(sorted(model_id(m) for m in models)),
            public_models=tuple(sorted(model_id(m) for m in models if m.get("access") == "public")),
            upstream_products=upstream_products,
            sources=sources,
            partition_columns=partition_columns,
            cluster_by=_cluster_by(models),
        )
    _check_classification_lineage(products)
    return products


def _check_classification_lineage(products: dict[str, DataProduct]) -> None:
    """A product is classified at least as high as every product it consumes: data keeps its sensitivity."""
    for product in products.values():
        mine = product.spec.classification
        for upstream_id in product.upstream_products:
            theirs = products[upstream_id].spec.classification
            if theirs.rank > mine.rank:
                raise SpecError(f"{product.spec_file}: field 'classification': product '{product.id}' is {mine.value} "
                                f"but consumes '{upstream_id}' ({theirs.value}); expected at least {theirs.value}")


def slos_by_product(products: dict[str, DataProduct]) -> dict[str, Slos]:
    """What suites read their SLO thresholds from ({"slo": "<field>"})."""
    return {product.id: product.spec.slos for product in products.values()}


def downstream_products(products: dict[str, DataProduct], product_id: str) -> tuple[str, ...]:
    return tuple(sorted(p.id for p in products.values() if product_id in p.upstream_products))


def upstream_models(manifest: dict[str, Any], model: str) -> tuple[str, ...]:
    """Every model a model reads, directly or not: the staging layer, intermediates, other products."""
    nodes = manifest["nodes"]
    found, stack = set(), list(models_by_name(manifest)[model]["depends_on"]["nodes"])
    while stack:
        uid = stack.pop()
        if uid in nodes and nodes[uid]["resource_type"] == "model" and model_id(nodes[uid]) not in found:
            found.add(model_id(nodes[uid]))
            stack.extend(nodes[uid]["depends_on"]["nodes"])
    return tuple(sorted(found))


def platform_upstream(manifest: dict[str, Any], models: Iterable[str]) -> tuple[str, ...]:
    """The staging and intermediate models `models` read, directly or through each other, in dbt --select
    form; not other products' models (models/products/...) nor what those read."""
    nodes, by_name = manifest["nodes"], models_by_name(manifest)
    found, stack = set(), [uid for name in models for uid in by_name[name]["depends_on"]["nodes"]]
    while stack:
        node = nodes.get(stack.pop())
        if (node is None or node["resource_type"] != "model" or node["original_file_path"].startswith("models/products/")
                or dbt_selector(node) in found):
            continue
        found.add(dbt_selector(node))
        stack.extend(node["depends_on"]["nodes"])
    return tuple(sorted(found))


def _models_by_group(manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node.get("group"):
            grouped.setdefault(node["group"], []).append(node)
    return grouped


def _validate_spec(group: dict[str, Any], meta: dict[str, Any]) -> DataProductSpec:
    where = f"{group['original_file_path']}: group '{group['name']}'"
    raw = meta.get("data_product")
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: field 'config.meta.data_product': expected a mapping with the product spec")
    owner = {k: v for k, v in (group.get("owner") or {}).items() if v is not None}
    try:
        spec = DataProductSpec.model_validate({**raw, "id": group["name"], "owner": owner})
    except ValidationError as exc:
        raise SpecError(f"{where}: {_describe(exc)}") from None
    _check_slos_are_possible(where, spec)
    return spec


def _check_slos_are_possible(where: str, spec) -> None:
    """A refresh cadence or retry policy that cannot keep the data within its freshness budget."""
    budget = spec.slos.freshness_minutes
    cron = spec.refresh_schedule
    if cron is not None:
        if not is_cron(cron):
            raise SpecError(f"{where}: field 'refresh_schedule': expected a 5-field cron expression (UTC), got {cron!r}")
        gap = longest_gap_minutes(cron)
        if gap >= budget:
            raise SpecError(f"{where}: field 'refresh_schedule': {cron!r} leaves up to {gap:g} min between refreshes; "
                            f"expected less than slos.freshness_minutes ({budget:g})")
    waits = spec.retry_policy.waits()
    if sum(waits) >= budget * 60:
        raise SpecError(f"{where}: field 'retry_policy': {len(waits)} retries wait {sum(waits):g} s in all; expected "
                        f"less than slos.freshness_minutes ({budget:g} min = {budget * 60:g} s)")


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        return f"field '{field}': required but missing"
    if error["type"] == "value_error":  # a model validator's message already says what was expected
        return f"field '{field}': {error['ctx']['error']}"
    return f"field '{field}': {error['msg'][0].lower()}{error['msg'][1:]}, got {error['input']!r}"


def _check_models(group: dict[str, Any], spec: DataProductSpec, models: list[dict[str, Any]]) -> None:
    where = f"{group['original_file_path']}: group '{group['name']}'"
    if not any(m.get("access") == "public" for m in models):
        raise SpecError(f"{where}: expected at least one model with access: public in the group")
    columns = {model_id(m): set(m.get("columns", {})) for m in models}
    for i, pii in enumerate(spec.pii_fields):
        if pii.model not in columns:
            raise SpecError(
                f"{where}: field 'pii_fields.{i}.model': expected a model of the group "
                f"({', '.join(sorted(columns))}), got {pii.model!r}"
            )
        if pii.column not in columns[pii.model]:
            raise SpecError(
                f"{where}: field 'pii_fields.{i}.column': expected a column of model '{pii.model}', "
                f"got {pii.column!r}"
            )


# The incremental strategy a partitioned model takes on each adapter (macros/partition_window.sql,
# `partitioned_incremental`): DuckDB replaces the window's rows, Spark overwrites the partitions they fall in.
PARTITIONED_STRATEGY = {"spark": "insert_overwrite"}
DEFAULT_PARTITIONED_STRATEGY = "replace_window"


def _partition_columns(group: dict[str, Any], spec: DataProductSpec, models: list[dict[str, Any]],
                       adapter_type: str) -> dict[str, str]:
    """Public model -> partition column; a partitioned product's public models must declare a date column
    and the adapter's partitioned incremental strategy (`**partitioned_incremental('<column>')` in its
    config), an unpartitioned one's none."""
    strategy = PARTITIONED_STRATEGY.get(adapter_type, DEFAULT_PARTITIONED_STRATEGY)
    found = {}
    for m in (m for m in models if m.get("access") == "public"):
        where = f"{m['original_file_path']}: model '{model_id(m)}'"
        config = m.get("config") or {}
        column = config.get("partition_column")
        if spec.partitions is Partitioning.NONE:
            if column:
                raise SpecError(f"{where}: config 'partition_column': product '{spec.id}' has partitions: none, "
                                f"expected no partition column, got {column!r}")
            continue
        if not column or column not in (m.get("columns") or {}):
            raise SpecError(f"{where}: config 'partition_column': product '{spec.id}' is partitioned "
                            f"{spec.partitions.value}, expected one of the model's columns, got {column!r}")
        if config.get("materialized") != "incremental" or config.get("incremental_strategy") != strategy:
            raise SpecError(f"{where}: config 'materialized': a {spec.partitions.value} partitioned model must be "
                            f"incremental with incremental_strategy '{strategy}' on {adapter_type} "
                            f"(config(**partitioned_incremental('{column}'))), got "
                            f"{config.get('materialized')!r}/{config.get('incremental_strategy')!r}")
        found[model_id(m)] = column
    return found


def _cluster_by(models: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Public model -> its `cluster_by` config (a column or a list of columns, as dbt's warehouses take it)."""
    found = {}
    for m in (m for m in models if m.get("access") == "public"):
        value = (m.get("config") or {}).get("cluster_by")
        if value is None:
            continue
        columns = [value] if isinstance(value, str) else value
        known = m.get("columns") or {}
        if (not isinstance(columns, list) or not columns or len(set(map(str, columns))) != len(columns)
                or not all(isinstance(c, str) and c in known for c in columns)):
            raise SpecError(f"{m['original_file_path']}: model '{model_id(m)}': config 'cluster_by': expected a "
                            f"column or a list of distinct columns of the model ({', '.join(known) or 'none declared'}), "
                            f"got {value!r}")
        found[model_id(m)] = tuple(columns)
    return found


def _check_folder_groups(manifest: dict[str, Any]) -> None:
    """A model in models/products/<product>/ belongs to group <product>: dbt_project.yml maps the folder
    (`<product>: {+group: <product>}` under models: <project>: products:), and without that line the model
    would silently belong to no product."""
    project = manifest["metadata"].get("project_name", "dataops")
    for node in manifest["nodes"].values():
        path = node.get("original_file_path", "")
        if node["resource_type"] != "model" or not path.startswith(PRODUCTS_DIR):
            continue
        folder = path[len(PRODUCTS_DIR):].split("/")[0]
        if node.get("group") != folder:
            raise SpecError(f"{path}: model '{node['name']}' is in group {node.get('group')!r}, expected {folder!r} like "
                            f"its folder; add `{folder}: {{+group: {folder}}}` under models: {project}: products: in "
                            f"dbt_project.yml")


def _is_product_group(group: dict[str, Any]) -> bool:
    meta = (group.get("config") or {}).get("meta") or {}
    return "data_product" in meta or group["original_file_path"].startswith(PRODUCTS_DIR)


def _upstream_of(manifest: dict[str, Any], models: list[dict[str, Any]], product_group_of: dict[str, str]):
    """Upstream products and landing sources of a group's models, walking through platform models."""
    group = models[0]["group"] if models else None
    products, sources, seen = set(), set(), set()
    stack = [dep for m in models for dep in m["depends_on"]["nodes"]]
    while stack:
        uid = stack.pop()
        if uid in seen:
            continue
        seen.add(uid)
        if uid.startswith("source."):
            source = manifest["sources"][uid]
            sources.add(f"{source['source_name']}.{source['name']}")
        elif product_group_of.get(uid) not in (None, group):
            products.add(product_group_of[uid])
        elif uid in manifest["nodes"]:
            stack.extend(manifest["nodes"][uid]["depends_on"]["nodes"])
    return tuple(sorted(products)), tuple(sorted(sources))


def product_summary(product: DataProduct) -> dict[str, Any]:
    """The `products list --json` entry for one product."""
    spec = product.spec
    return {
        "id": product.id,
        "name": spec.name,
        "domain": spec.domain,
        "version": spec.version,
        "owner": spec.owner.email,
        "team": spec.team,
        "classification": spec.classification.value,
        "status": spec.status.value,
        "public_models": list(product.public_models),
        "partitions": product.partitioning.value,
    }


def product_detail(products: dict[str, DataProduct], product_id: str) -> dict[str, Any]:
    """The `products show --json` document: spec, models, owners and neighbouring products."""
    product = products[product_id]
    return {
        **product_summary(product),
        "owners": [product.spec.owner.email, f"team:{product.spec.team}"],
        "spec": product.spec.model_dump(mode="json"),
        "refresh_schedule": product.refresh_schedule,
        "spec_file": product.spec_file,
        "models": list(product.models),
        "sources": list(product.sources),
        "upstream_products": list(product.upstream_products),
        "downstream_products": list(downstream_products(products, product_id)),
    }
