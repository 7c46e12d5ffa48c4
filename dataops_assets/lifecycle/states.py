"""The lifecycle state machines, pure and table-driven: datasets (seed 004) and products (seed 000)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from dataops_assets.catalog.spec import ProductStatus


class DatasetState(StrEnum):
    PROVISIONING = "provisioning"  # its run is building it
    VALIDATING = "validating"  # built; its quality gate is being evaluated
    READY = "ready"  # the gate passed: usable
    FAILED = "failed"  # provisioning or validation failed; retry or tear down
    TEARDOWN = "teardown"  # being archived and removed
    ARCHIVED = "archived"  # removed; its archive is kept for the retention period


INITIAL_STATE = DatasetState.PROVISIONING
DATASET_TRANSITIONS: Mapping[DatasetState, frozenset[DatasetState]] = {
    DatasetState.PROVISIONING: frozenset({DatasetState.VALIDATING, DatasetState.FAILED}),
    DatasetState.VALIDATING: frozenset({DatasetState.READY, DatasetState.FAILED}),
    DatasetState.READY: frozenset({DatasetState.TEARDOWN}),
    DatasetState.FAILED: frozenset({DatasetState.PROVISIONING, DatasetState.TEARDOWN}),  # retry or tear down
    DatasetState.TEARDOWN: frozenset({DatasetState.ARCHIVED}),
    DatasetState.ARCHIVED: frozenset(),
}
# Product status -> the next one `dataops products promote` moves it to.
PRODUCT_PROMOTIONS: Mapping[ProductStatus, ProductStatus] = {
    ProductStatus.DRAFT: ProductStatus.DEV,
    ProductStatus.DEV: ProductStatus.STAGING,
    ProductStatus.STAGING: ProductStatus.PRODUCTION,
    ProductStatus.PRODUCTION: ProductStatus.DEPRECATED,
}


class TransitionError(ValueError):
    """A move the state machine does not allow; the message names the subject and both states."""


def check_transition(dataset_id: str, current: DatasetState, requested: DatasetState) -> DatasetState:
    """`requested` if a dataset in `current` may move there; else TransitionError."""
    allowed = DATASET_TRANSITIONS[current]
    if requested not in allowed:
        options = ", ".join(sorted(s.value for s in allowed)) or "none (final state)"
        raise TransitionError(f"dataset {dataset_id}: cannot move from {current.value} to {requested.value}; "
                              f"allowed from {current.value}: {options}")
    return requested


def next_product_status(product_id: str, current: ProductStatus) -> ProductStatus:
    if current not in PRODUCT_PROMOTIONS:
        raise TransitionError(f"product {product_id}: {current.value} is the last status; nothing to promote to")
    return PRODUCT_PROMOTIONS[current]
