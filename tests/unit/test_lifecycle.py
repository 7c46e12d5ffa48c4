"""The dataset state machine and the registry: illegal moves refused, one audit event per accepted move,
races and limits, on a real SQLite registry."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataops_assets.catalog.spec import ProductStatus
from dataops_assets.lifecycle import registry as registry_module
from dataops_assets.lifecycle.registry import (
    MAX_DATASETS_PER_CLIENT,
    MAX_PROVISIONING_PER_STAGE,
    ConcurrentChange,
    Registry,
    RegistryError,
)
from dataops_assets.lifecycle.states import (
    DATASET_TRANSITIONS,
    DatasetState,
    TransitionError,
    check_transition,
    next_product_status,
)

S = DatasetState
LEGAL = {(S.PROVISIONING, S.VALIDATING), (S.PROVISIONING, S.FAILED), (S.VALIDATING, S.READY),
         (S.VALIDATING, S.FAILED), (S.READY, S.TEARDOWN), (S.FAILED, S.PROVISIONING), (S.FAILED, S.TEARDOWN),
         (S.TEARDOWN, S.ARCHIVED)}


def new_registry(folder: Path) -> Registry:
    return Registry(f"sqlite:///{folder / 'registry.db'}")


@pytest.fixture
def registry(tmp_path) -> Registry:
    return new_registry(tmp_path)


def test_the_table_is_seed_004s_lifecycle():
    assert {(a, b) for a, targets in DATASET_TRANSITIONS.items() for b in targets} == LEGAL


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("requested", list(S))
def test_every_other_move_is_refused_naming_dataset_and_states(current, requested):
    if (current, requested) in LEGAL:
        assert check_transition("ds-1", current, requested) is requested
        return
    with pytest.raises(TransitionError) as refused:
        check_transition("ds-1", current, requested)
    assert str(refused.value).startswith(f"dataset ds-1: cannot move from {current.value} to {requested.value}; ")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list(S)), max_size=12))
def test_random_event_sequences_stay_legal_with_one_audit_event_per_move(moves):
    with tempfile.TemporaryDirectory() as folder:
        registry = new_registry(Path(folder))
        dataset = registry.request_provisioning("customer_360", "sandbox", "acme", "test")
        state, events = dataset.status, len(registry.audit_trail(dataset.dataset_id))
        for requested in moves:
            try:
                state = registry.transition(dataset.dataset_id, requested, "test").status
            except TransitionError:
                assert (state, requested) not in LEGAL
                assert len(registry.audit_trail(dataset.dataset_id)) == events  # nothing written
                continue
            assert state is requested
            trail = registry.audit_trail(dataset.dataset_id)
            assert len(trail) == events + 1
            assert (trail[-1].to_state, trail[-1].actor) == (requested.value, "test")
            events += 1
        assert registry.get(dataset.dataset_id).status is state


def test_racing_writers_cannot_both_move_a_dataset(registry):
    dataset = registry.request_provisioning("customer_360", "sandbox", "acme", "test")
    outcomes: list[str] = []

    def move(target: DatasetState) -> None:
        try:
            registry.transition(dataset.dataset_id, target, "racer", expected=S.PROVISIONING)
            outcomes.append("moved")
        except ConcurrentChange:
            outcomes.append("refused")

    racers = [threading.Thread(target=move, args=(S.VALIDATING if i % 2 else S.FAILED,)) for i in range(8)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert sorted(outcomes) == ["moved"] + ["refused"] * 7
    changes = [e for e in registry.audit_trail(dataset.dataset_id) if e.event == "dataset_status_changed"]
    assert len(changes) == 1


def test_at_most_ten_provisioning_per_stage(registry):
    for client in range(MAX_PROVISIONING_PER_STAGE):
        registry.request_provisioning("customer_360", "pilot", f"client-{client}", "test")
    with pytest.raises(RegistryError, match=r"^stage pilot: 10 datasets are already provisioning; at most 10"):
        registry.request_provisioning("customer_360", "pilot", "one-more", "test")
    registry.request_provisioning("customer_360", "sandbox", "one-more", "test")  # another stage is free
    first = registry.datasets(stage="pilot")[0]
    registry.transition(first.dataset_id, S.VALIDATING, "test")
    registry.request_provisioning("customer_360", "pilot", "one-more", "test")  # a slot was freed


def test_at_most_fifty_datasets_per_client(registry, monkeypatch):
    monkeypatch.setattr(registry_module, "MAX_PROVISIONING_PER_STAGE", 100)
    for _ in range(MAX_DATASETS_PER_CLIENT):
        registry.request_provisioning("customer_360", "sandbox", "acme", "test")
    with pytest.raises(RegistryError, match=r"^client acme: already holds 50 datasets; at most 50 per client"):
        registry.request_provisioning("customer_360", "production", "acme", "test")


def test_teardown_request_only_from_ready_or_failed(registry):
    dataset = registry.request_provisioning("customer_360", "sandbox", "acme", "test")
    with pytest.raises(TransitionError, match="cannot move from provisioning to teardown"):
        registry.request_teardown(dataset.dataset_id, "test")
    registry.transition(dataset.dataset_id, S.FAILED, "test", error_message="boom")
    assert registry.request_teardown(dataset.dataset_id, "test").teardown_requested_at is not None
    assert registry.audit_trail(dataset.dataset_id)[-1].event == "teardown_requested"


def test_a_newer_registry_schema_is_refused(tmp_path, registry):
    with registry.engine.begin() as conn:
        conn.execute(registry_module.schema_version.update().values(version=99))
    with pytest.raises(RegistryError, match=f"registry schema v99 is newer than this code's v{registry_module.SCHEMA_VERSION}"):
        new_registry(tmp_path)


def test_unknown_dataset_is_one_line(registry):
    with pytest.raises(RegistryError, match=r"^dataset 'nope': not in the registry"):
        registry.get("nope")


def test_products_promote_one_step_at_a_time():
    assert next_product_status("p", ProductStatus.DRAFT) is ProductStatus.DEV
    assert next_product_status("p", ProductStatus.PRODUCTION) is ProductStatus.DEPRECATED
    with pytest.raises(TransitionError, match="product p: deprecated is the last status"):
        next_product_status("p", ProductStatus.DEPRECATED)
