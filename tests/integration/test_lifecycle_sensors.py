"""Datasets driven by the real lifecycle sensors (built contexts on a real instance) and real runs:
provision -> READY -> teardown -> ARCHIVED, and bad data ending in FAILED with the failing checks named."""

from __future__ import annotations

import pytest
from dagster._core.test_utils import instance_for_test

from tests.lifecycle import tick
from tests.sandbox import generate, rewrite_landing

from dataops_assets.definitions import build_definitions
from dataops_assets.lifecycle.assets import DATASETS, archive_path
from dataops_assets.lifecycle.registry import Registry
from dataops_assets.lifecycle.states import DatasetState
from dataops_assets.lifecycle.workspace import workspace
from dataops_assets.settings import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture
def instance():
    with instance_for_test() as instance:
        yield instance


def test_a_sandbox_dataset_goes_ready_then_archived(settings, instance):
    repository = build_definitions(settings).get_repository_def()
    registry = Registry(settings.registry_url)
    dataset = registry.request_provisioning("mission_logistics", "sandbox", "acme", "test")
    tick(repository, instance, "dataset_requests")
    assert dataset.dataset_id in instance.get_dynamic_partitions(DATASETS.name)
    tick(repository, instance, "dataset_progress")
    ready = registry.get(dataset.dataset_id)
    assert ready.status is DatasetState.READY, ready.error_message
    assert ready.quality_score >= 95 and ready.record_count > 0 and ready.size_bytes > 0
    assert [(e.from_state, e.to_state) for e in registry.audit_trail(dataset.dataset_id)
            if e.event == "dataset_status_changed"] == [("provisioning", "validating"), ("validating", "ready")]
    folder = workspace(settings, dataset.dataset_id).root
    assert (folder / "warehouse.duckdb").exists() and not (settings.home / "warehouse.duckdb").exists()

    registry.request_teardown(dataset.dataset_id, "test")
    tick(repository, instance, "dataset_requests")  # -> TEARDOWN, teardown run
    tick(repository, instance, "dataset_progress")  # -> ARCHIVED
    archived = registry.get(dataset.dataset_id)
    assert archived.status is DatasetState.ARCHIVED
    assert archived.archive_path == str(archive_path(settings, dataset.dataset_id))
    assert archive_path(settings, dataset.dataset_id).exists() and not folder.exists()
    assert registry.audit_trail(dataset.dataset_id)[-1].event == "dataset_archived"


def test_bad_production_data_ends_failed_naming_the_failing_checks(settings, instance):
    generate(settings.home)
    rewrite_landing(settings.home, "crm", "customers",
                    "select * replace (case when row_number() over () <= 5 then 'not-an-email' else email end "
                    "as email) from landing")
    repository = build_definitions(settings).get_repository_def()
    registry = Registry(settings.registry_url)
    dataset = registry.request_provisioning("customer_360", "production", "acme", "test")
    tick(repository, instance, "dataset_requests")
    tick(repository, instance, "dataset_progress")
    failed = registry.get(dataset.dataset_id)
    assert failed.status is DatasetState.FAILED
    assert "failed error checks: " in failed.error_message and "customer_360:" in failed.error_message
    gate = [e for e in registry.audit_trail(dataset.dataset_id) if e.event == "quality_check_executed"]
    assert len(gate) == 1 and gate[0].details["passed"] is False
