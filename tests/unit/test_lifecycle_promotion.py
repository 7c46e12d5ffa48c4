"""Product promotion: one step, a READY dataset in the stage below, and a compatible contract or a new
major version; and the registry migrating an older schema on start."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from dataops_assets.catalog.products import load_products, models_by_name
from dataops_assets.catalog.spec import ProductStatus
from dataops_assets.lifecycle.promotion import PromotionRefused, compare_contracts, promote
from dataops_assets.lifecycle.registry import SCHEMA_VERSION, Registry
from dataops_assets.lifecycle.states import DatasetState, TransitionError

FIXTURE = Path(__file__).parent.parent / "fixtures" / "manifest_products.json"


@pytest.fixture
def manifest() -> dict:
    manifest = json.loads(FIXTURE.read_text())
    manifest["groups"]["group.dataops.customer_360"]["config"]["meta"]["data_product"]["status"] = "dev"
    return manifest


@pytest.fixture
def registry(tmp_path) -> Registry:
    return Registry(f"sqlite:///{tmp_path / 'registry.db'}")


def ready_dataset(registry: Registry, stage: str) -> str:
    dataset = registry.request_provisioning("customer_360", stage, "acme", "test")
    for state in (DatasetState.VALIDATING, DatasetState.READY):
        registry.transition(dataset.dataset_id, state, "test")
    return dataset.dataset_id


def test_promotion_needs_a_ready_dataset_in_the_stage_below(manifest, registry):
    product, models = load_products(manifest)["customer_360"], models_by_name(manifest)
    with pytest.raises(PromotionRefused, match=r"^product customer_360: no READY dataset in sandbox; expected one "
                                               r"before leaving dev"):
        promote(registry, product, models, "test")
    evidence = ready_dataset(registry, "sandbox")
    done = promote(registry, product, models, "test")
    assert (done.from_status, done.to_status, done.evidence) == (ProductStatus.DEV, ProductStatus.STAGING, evidence)
    assert registry.product_statuses() == {"customer_360": "staging"}
    with pytest.raises(PromotionRefused, match="no READY dataset in pilot"):  # the next step needs pilot
        promote(registry, product, models, "test")
    [event] = [e for e in registry.audit_trail(product="customer_360") if e.event == "product_status_changed"]
    assert (event.from_state, event.to_state) == ("dev", "staging")


def test_a_breaking_contract_change_needs_a_major_version(manifest, registry):
    models = models_by_name(manifest)
    ready_dataset(registry, "sandbox")
    promote(registry, load_products(manifest)["customer_360"], models, "test")  # records the contract
    ready_dataset(registry, "pilot")
    changed = copy.deepcopy(manifest)
    del changed["nodes"]["model.dataops.customer_360.v2"]["columns"]["region"]
    product = load_products(changed)["customer_360"]
    with pytest.raises(PromotionRefused, match=r"breaking contract change \(customer_360_v2.region removed\) without a "
                                               r"major version bump: recorded 2\.\d+\.\d+, spec 2\.\d+\.\d+"):
        promote(registry, product, models_by_name(changed), "test")
    spec = changed["groups"]["group.dataops.customer_360"]["config"]["meta"]["data_product"]
    spec["version"] = "3.0.0"
    done = promote(registry, load_products(changed)["customer_360"], models_by_name(changed), "test")
    assert (done.to_status, done.change.kind) == (ProductStatus.PRODUCTION, "breaking")


def test_deprecated_is_the_last_status(manifest, registry):
    manifest["groups"]["group.dataops.customer_360"]["config"]["meta"]["data_product"]["status"] = "deprecated"
    with pytest.raises(TransitionError, match="deprecated is the last status"):
        promote(registry, load_products(manifest)["customer_360"], models_by_name(manifest), "test")


def test_contract_comparison():
    old = {"m": {"a": "varchar", "b": "integer"}}
    assert compare_contracts(old, old).kind == "unchanged"
    assert compare_contracts(old, {"m": {**old["m"], "c": "date"}}).details == ("m.c added",)
    assert compare_contracts(old, {"m": {"a": "varchar", "b": "bigint"}}).details == ("m.b integer -> bigint",)
    assert compare_contracts(old, {}).kind == "breaking"


def test_an_older_registry_is_migrated_on_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the v1 layout of product_status, as the first release wrote it
        conn.exec_driver_sql("create table schema_version (version integer not null)")
        conn.exec_driver_sql("insert into schema_version values (1)")
        conn.exec_driver_sql("create table product_status (product varchar(128) primary key, status varchar(16) "
                             "not null, updated_at datetime not null)")
        conn.exec_driver_sql("insert into product_status values ('customer_360', 'dev', '2026-11-01 00:00:00')")
    registry = Registry(url)
    assert registry.product_state("customer_360").status == "dev"
    with registry.engine.connect() as conn:
        assert conn.exec_driver_sql("select version from schema_version").scalar() == SCHEMA_VERSION == 2
