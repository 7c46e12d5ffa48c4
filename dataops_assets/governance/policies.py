"""Governance policies, in code: each looks at one product (its spec, its models in the dbt manifest, the
quality suites on disk) and names what breaks the rule. `dataops policy check` runs every one of them.

| policy | rule |
|---|---|
| owner-and-steward | the product names an owner (name and email) and a data steward |
| pii-has-strategy | every PII field names a masking strategy and a column its model has |
| masked-publication | at C and above, every public column that looks like personal data is a PII field, so
  it is published masked |
| production-ready | a production product has SLOs, a quality suite for every public model and an
  enforced dbt contract (every column typed) on every public model |
| deprecation-named | a deprecated product names an existing replacement and a sunset date |
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataops_assets.catalog.products import DataProduct
from dataops_assets.catalog.spec import Classification, MaskingStrategy, ProductStatus

# Column names that hold personal data whatever the product: what masked-publication looks for.
PERSONAL_DATA_COLUMN = re.compile(
    r"(^|_)(e_?mail|phone|mobile|first_name|last_name|full_name|surname|date_of_birth|birth_date|dob|ssn|"
    r"national_id|passport|street_address|postal_code|zip_code|ip_address)(_|$)")


@dataclass(frozen=True)
class Violation:
    policy: str
    product: str
    where: str  # the spec file (or model file) to change
    message: str

    def line(self) -> str:
        return f"{self.where}: [{self.policy}] {self.product}: {self.message}"

    def to_json(self) -> dict[str, str]:
        return {"policy": self.policy, "product": self.product, "where": self.where, "message": self.message}


@dataclass(frozen=True)
class Catalog:
    """What the policies read: the products, the manifest's models by name, and the suites folder."""

    products: Mapping[str, DataProduct]
    models: Mapping[str, Mapping[str, Any]]
    suites_dir: Path


Policy = Callable[[DataProduct, Catalog], Iterator[str]]


def owner_and_steward(product: DataProduct, catalog: Catalog) -> Iterator[str]:
    spec = product.spec
    if not (spec.owner and spec.owner.name.strip() and spec.owner.email.strip()):
        yield "no owner: expected the dbt group's owner with a name and an email"
    if not (spec.steward or "").strip():
        yield "no data steward: expected 'steward' with an email"


def pii_has_strategy(product: DataProduct, catalog: Catalog) -> Iterator[str]:
    for field in product.spec.pii_fields:
        if not isinstance(field.masking, MaskingStrategy):
            yield (f"PII field {field.model}.{field.column} has no masking strategy; expected one of "
                   f"{', '.join(s.value for s in MaskingStrategy)}")
        model = catalog.models.get(field.model)
        if model is None or field.model not in product.models:
            yield f"PII field {field.model}.{field.column}: {field.model} is not a model of the product"
        elif field.column not in (model.get("columns") or {}):
            yield f"PII field {field.model}.{field.column}: the model declares no column {field.column!r}"


def masked_publication(product: DataProduct, catalog: Catalog) -> Iterator[str]:
    classification = product.spec.classification
    if classification.rank < Classification.CONFIDENTIAL.rank:
        return
    for model in product.public_models:
        masked = product.pii_masking(model)
        if masked and "masked_columns(" not in (catalog.models[model].get("raw_code") or ""):
            yield (f"{model} has PII fields ({', '.join(sorted(masked))}) but does not mask them: expected its SQL "
                   "to select {{ masked_columns(ref('<its unmasked model>')) }} (macros/masking.sql)")
        for column in (catalog.models[model].get("columns") or {}):
            if PERSONAL_DATA_COLUMN.search(column.lower()) and column not in masked:
                yield (f"{model}.{column} looks like personal data and has no masking strategy in pii_fields; "
                       f"a {classification.value} product publishes only masked personal data")


def production_ready(product: DataProduct, catalog: Catalog) -> Iterator[str]:
    if product.spec.status is not ProductStatus.PRODUCTION:
        return
    if product.spec.slos is None:
        yield "production without SLOs: expected 'slos'"
    for model in product.public_models:
        suite = catalog.suites_dir / product.id / f"{model}.json"
        if not suite.exists():
            yield f"production without a quality suite for {model}: expected {suite}"
        node = catalog.models[model]
        if not ((node.get("config") or {}).get("contract") or {}).get("enforced"):
            yield f"production with a draft contract: {model} expected config contract: {{enforced: true}}"
        untyped = [c for c, column in (node.get("columns") or {}).items() if not column.get("data_type")]
        if untyped:
            yield f"production with a draft contract: {model} columns without data_type: {', '.join(untyped)}"


def deprecation_named(product: DataProduct, catalog: Catalog) -> Iterator[str]:
    if product.spec.status is not ProductStatus.DEPRECATED:
        return
    deprecation = product.spec.deprecation
    if deprecation is None:
        yield "deprecated without 'deprecation': expected a replacement product and a sunset_date"
    elif deprecation.replacement == product.id or deprecation.replacement not in catalog.products:
        yield f"deprecation.replacement {deprecation.replacement!r}: expected another product of the catalog"


POLICIES: dict[str, Policy] = {
    "owner-and-steward": owner_and_steward,
    "pii-has-strategy": pii_has_strategy,
    "masked-publication": masked_publication,
    "production-ready": production_ready,
    "deprecation-named": deprecation_named,
}


def check_policies(catalog: Catalog, policies: Mapping[str, Policy] = POLICIES) -> list[Violation]:
    """Every violation of every policy by every product, in product then policy order."""
    return [Violation(name, product.id, product.spec_file, message)
            for product in sorted(catalog.products.values(), key=lambda p: p.id)
            for name, policy in policies.items()
            for message in policy(product, catalog)]
