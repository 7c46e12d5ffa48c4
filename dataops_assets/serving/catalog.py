"""What the serving layer offers: each product's public models, their contract columns and PII, from the
project as loaded once at start-up (a changed spec needs a restart, like any code location)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dataops_assets.catalog.products import DataProduct, downstream_products, model_id
from dataops_assets.project import Project


class UnknownProduct(LookupError):
    pass


@dataclass(frozen=True)
class ServedModel:
    name: str  # the public model (its relation's alias; its published folder)
    description: str
    columns: tuple[dict[str, Any], ...]  # {"name", "type", "description", "pii": strategy or None}
    pii: Mapping[str, str]  # PII column -> masking strategy
    cluster_by: tuple[str, ...] = ()  # the columns its loaded copy is ordered by (the model's `cluster_by`)


@dataclass(frozen=True)
class ServedProduct:
    product: DataProduct
    models: Mapping[str, ServedModel]
    default_model: str
    downstream: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.product.id


def served_products(project: Project) -> dict[str, ServedProduct]:
    served = {}
    for product in project.products.values():
        models = {name: _served_model(product, project.models[name]) for name in product.public_models}
        served[product.id] = ServedProduct(product, models, _default_model(product, project.models),
                                           downstream_products(project.products, product.id))
    return served


def normalize_id(text: str) -> str:
    """`sales-daily-metrics` and `sales_daily_metrics` name the same product."""
    return text.strip().lower().replace("-", "_")


def find_product(products: Mapping[str, ServedProduct], text: str) -> ServedProduct:
    found = products.get(normalize_id(text))
    if found is None:
        raise UnknownProduct(f"product: unknown product {text!r}")
    return found


def _served_model(product: DataProduct, node: Mapping[str, Any]) -> ServedModel:
    pii = product.pii_masking(model_id(node))
    columns = tuple({"name": name, "type": (column.get("data_type") or "").upper() or None,
                     "description": column.get("description") or "", "pii": pii.get(name)}
                    for name, column in node.get("columns", {}).items())
    return ServedModel(model_id(node), node.get("description") or "", columns, pii,
                       product.cluster_by.get(model_id(node), ()))


def _default_model(product: DataProduct, models: Mapping[str, Mapping[str, Any]]) -> str:
    """The model named as the product (its latest version, as dbt's `ref` resolves it), else the first."""
    for name in product.public_models:
        node = models[name]
        if node.get("name") == product.id and node.get("version") == node.get("latest_version"):
            return name
    return product.public_models[0]
