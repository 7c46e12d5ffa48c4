"""Promoting a product one status up (seed 000: draft -> dev -> staging -> production -> deprecated):
allowed only with a READY dataset in the stage below and a contract that is unchanged, compatible
(columns only added), or changed incompatibly under a new major version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dataops_assets.catalog.products import DataProduct
from dataops_assets.catalog.spec import ProductStatus, major_version

Contract = dict[str, dict[str, str]]  # public model -> column -> declared data type
# The stage a product must have a READY dataset in before it leaves this status.
EVIDENCE_STAGE: Mapping[ProductStatus, str] = {ProductStatus.DEV: "sandbox", ProductStatus.STAGING: "pilot"}


@dataclass(frozen=True)
class ContractChange:
    kind: str  # unchanged | compatible | breaking
    details: tuple[str, ...]


def contract_of(product: DataProduct, models: Mapping[str, Mapping[str, Any]]) -> Contract:
    return {m: {c: (spec.get("data_type") or "").lower() for c, spec in models[m]["columns"].items()}
            for m in product.public_models}


def compare_contracts(recorded: Contract, current: Contract) -> ContractChange:
    breaking, added = [], []
    for model, columns in recorded.items():
        if model not in current:
            breaking.append(f"model {model} removed")
            continue
        for column, data_type in columns.items():
            if column not in current[model]:
                breaking.append(f"{model}.{column} removed")
            elif current[model][column] != data_type:
                breaking.append(f"{model}.{column} {data_type} -> {current[model][column]}")
        added += [f"{model}.{c} added" for c in current[model] if c not in columns]
    added += [f"model {m} added" for m in current if m not in recorded]
    if breaking:
        return ContractChange("breaking", tuple(breaking))
    return ContractChange("compatible" if added else "unchanged", tuple(added))


def refusal(product_id: str, status: ProductStatus, ready_in_stage: bool, change: ContractChange,
            recorded_version: str, spec_version: str) -> str | None:
    """Why the product may not be promoted now, or None."""
    stage = EVIDENCE_STAGE.get(status)
    if stage and not ready_in_stage:
        return (f"product {product_id}: no READY dataset in {stage}; expected one before leaving {status.value} "
                f"(`dataops datasets provision --product {product_id} --stage {stage}`)")
    if change.kind == "breaking" and major_version(spec_version) <= major_version(recorded_version):
        return (f"product {product_id}: breaking contract change ({'; '.join(change.details)}) without a major "
                f"version bump: recorded {recorded_version}, spec {spec_version}")
    return None


@dataclass(frozen=True)
class Promotion:
    product: str
    from_status: ProductStatus
    to_status: ProductStatus
    change: ContractChange
    evidence: str | None  # the READY dataset that allowed it

    def to_json(self) -> dict[str, Any]:
        return {"product": self.product, "from": self.from_status.value, "to": self.to_status.value,
                "contract": self.change.kind, "contract_changes": list(self.change.details),
                "evidence_dataset": self.evidence}


class PromotionRefused(ValueError):
    """The one-line reason a product stays where it is."""


def promote(registry, product: DataProduct, models: Mapping[str, Mapping[str, Any]], actor: str) -> Promotion:
    """Move the product one status up in the registry, or raise PromotionRefused / TransitionError."""
    from dataops_assets.lifecycle.states import DatasetState, next_product_status

    state = registry.product_state(product.id)
    current = ProductStatus(state.status) if state else product.spec.status
    target = next_product_status(product.id, current)
    contract = contract_of(product, models)
    change = compare_contracts(state.contract if state else contract, contract)
    stage = EVIDENCE_STAGE.get(current)
    ready = registry.datasets(stage=stage, status=DatasetState.READY, product=product.id) if stage else []
    why = refusal(product.id, current, bool(ready), change, (state.version if state else None) or product.spec.version,
                  product.spec.version)
    if why:
        raise PromotionRefused(why)
    evidence = ready[-1].dataset_id if ready else None
    reason = f"contract {change.kind}" + (f" ({'; '.join(change.details)})" if change.details else "") + (
        f"; READY {stage} dataset {evidence}" if evidence else "")
    registry.promote_product(product.id, current.value, target.value, product.spec.version, contract, actor, reason)
    return Promotion(product.id, current, target, change, evidence)
