"""Impact analysis: what a change to a landing table, a model or one of their columns reaches downstream.

Assets come from the Dagster asset graph (landing tables, dbt models, publications). Columns come from dbt
column lineage as dagster-dbt records it with each model's materialization (`dagster/column_lineage`); the
staging views, which read landing Parquet directly, keep their landing columns' names (the staging layer
only types them), so a landing column reaches the staging column of the same name. A model that was never
materialized has no recorded lineage: it is listed with its columns unknown rather than left out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import dagster as dg

from dataops_assets.catalog.products import DataProduct
from dataops_assets.dbt.translator import LANDING_GROUP
from dataops_assets.sources.landing_contract import LandingTable

Column = tuple[str, str]  # (asset name, column)


class ImpactError(ValueError):
    """The target names no asset or column of the project."""


@dataclass(frozen=True)
class Target:
    key: dg.AssetKey
    column: str | None

    @property
    def name(self) -> str:
        return asset_name(self.key)


def asset_name(key: dg.AssetKey) -> str:
    """`crm.customers` for a landing table, the model or asset name otherwise."""
    return ".".join(key.path[1:]) if key.path[0] == LANDING_GROUP else key.to_user_string()


def resolve_target(text: str, asset_graph, columns_of: Mapping[str, set[str]]) -> Target:
    """`<model>[.<column>]` or `<source>.<table>[.<column>]`; ImpactError naming what was expected otherwise."""
    by_name = {asset_name(key): key for key in asset_graph.get_all_asset_keys()}
    parts = text.strip().split(".")
    for split in range(len(parts), 0, -1):
        name, rest = ".".join(parts[:split]), parts[split:]
        if name in by_name and len(rest) <= 1:
            column = rest[0] if rest else None
            if column is not None and columns_of.get(name) and column not in columns_of[name]:
                raise ImpactError(f"{text}: {name} has no column {column!r}; expected one of "
                                  f"{', '.join(sorted(columns_of[name]))}")
            return Target(by_name[name], column)
    raise ImpactError(f"{text}: no such asset; expected <model>[.<column>] or <source>.<table>[.<column>], "
                      "e.g. crm.customers.email or customer_360")


def project_columns(models: Mapping[str, Mapping[str, Any]], landing: Iterable[LandingTable]) -> dict[str, set[str]]:
    """Asset name -> its columns: each declared landing table's, each model's
    declared ones, and for a model reading landing tables (staging), theirs too: it keeps their names,
    while its YAML may declare only the columns it tests."""
    columns = {table.key: set(table.types) for table in landing}
    for name, node in models.items():
        read = [".".join(uid.split(".")[2:]) for uid in node["depends_on"]["nodes"] if uid.startswith("source.")]
        columns[name] = set(node.get("columns") or {}).union(*(columns.get(table, set()) for table in read))
    return columns


def downstream_assets(asset_graph, key: dg.AssetKey) -> list[dg.AssetKey]:
    """Every asset downstream of `key` in the asset graph, nearest first."""
    seen, queue, order = {key}, deque([key]), []
    while queue:
        for child in sorted(asset_graph.get(queue.popleft()).child_keys, key=lambda k: k.to_user_string()):
            if child not in seen:
                seen.add(child)
                order.append(child)
                queue.append(child)
    return order


def recorded_lineage(instance: dg.DagsterInstance, key: dg.AssetKey) -> dict[str, list[Column]] | None:
    """Column -> the (asset, column) pairs it is derived from, as the latest materialization recorded it."""
    event = instance.get_latest_materialization_event(key)
    lineage = event.asset_materialization.metadata.get("dagster/column_lineage") if event else None
    if lineage is None:
        return None
    return {column: [(asset_name(dep.asset_key), dep.column_name) for dep in deps]
            for column, deps in lineage.value.deps_by_column.items()}


def impact(target: Target, asset_graph, instance: dg.DagsterInstance | None, products: Mapping[str, DataProduct],
           columns_of: Mapping[str, set[str]]) -> dict[str, Any]:
    """Every downstream asset (with its reached columns when a column is named), product, owner and consumer."""
    downstream = downstream_assets(asset_graph, target.key)
    lineage: dict[str, dict[str, list[Column]] | None] = {}
    for key in downstream:
        name = asset_name(key)
        lineage[name] = recorded_lineage(instance, key) if instance is not None else None
        parent_keys = asset_graph.get(key).parent_keys
        if lineage[name] is None and parent_keys and all(p.path[0] == LANDING_GROUP for p in parent_keys):
            # A staging view: each column comes from the landing column of the same name.
            parents = {asset_name(p) for p in parent_keys}
            lineage[name] = {c: [(p, c) for p in parents if c in columns_of.get(p, {c})]
                             for c in columns_of.get(name, ())}
    reached = _reached_columns(target, lineage) if target.column else {}
    assets = []
    for key in downstream:
        name, node = asset_name(key), asset_graph.get(key)
        entry: dict[str, Any] = {"asset": name, "group": node.group_name,
                                 "kind": "publication" if name.startswith("published_") else "model"}
        if target.column:
            if lineage.get(name) is None and entry["kind"] == "model":
                entry["columns"] = None  # never materialized: its column lineage is not known yet
            elif name in reached or entry["kind"] == "publication":
                entry["columns"] = sorted(reached.get(name) or reached.get(name.removeprefix("published_"), ()))
            else:
                continue
            if entry["kind"] == "publication" and not entry["columns"]:
                continue
        assets.append(entry)
    reached_products = sorted({a["group"] for a in assets if a["group"] in products})
    return {
        "target": {"asset": target.name, "column": target.column},
        "assets": assets,
        "products": [_product_entry(products[p]) for p in reached_products],
        "column_lineage": "recorded" if instance is not None else "unavailable: nothing materialized yet",
    }


def _reached_columns(target: Target, lineage: Mapping[str, dict[str, list[Column]] | None]) -> dict[str, set[str]]:
    children: dict[Column, set[Column]] = {}
    for asset, columns in lineage.items():
        for column, deps in (columns or {}).items():
            for dep in deps:
                children.setdefault(dep, set()).add((asset, column))
    reached: dict[str, set[str]] = {}
    queue = deque([(target.name, target.column)])
    seen = set(queue)
    while queue:
        for child in children.get(queue.popleft(), ()):
            if child not in seen:
                seen.add(child)
                reached.setdefault(child[0], set()).add(child[1])
                queue.append(child)
    return reached


def _product_entry(product: DataProduct) -> dict[str, Any]:
    spec = product.spec
    return {"id": product.id, "classification": spec.classification.value, "owner": spec.owner.email,
            "team": spec.team, "steward": spec.steward, "consumers": list(spec.consumers)}
