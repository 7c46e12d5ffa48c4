"""Archives are deleted only after the retention (90 days by default, never less)."""

import datetime as dt

import pytest

from dataops_assets.lifecycle.cleanup import delete_expired_archives
from dataops_assets.lifecycle.registry import Registry
from dataops_assets.lifecycle.states import DatasetState
from dataops_assets.settings import Settings, load_settings

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)


def archived(registry: Registry, settings: Settings, days_ago: int) -> str:
    dataset = registry.request_provisioning("customer_360", "sandbox", "acme", "test")
    archive = settings.archive_dir / f"{dataset.dataset_id}.tar.gz"
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(b"archive")
    for state in (DatasetState.FAILED, DatasetState.TEARDOWN):
        registry.transition(dataset.dataset_id, state, "test")
    registry.transition(dataset.dataset_id, DatasetState.ARCHIVED, "test", now=NOW - dt.timedelta(days=days_ago),
                        archive_path=str(archive))
    return dataset.dataset_id


@pytest.mark.parametrize(("retention", "kept", "deleted"), [(90, [10, 89], [91, 400]), (180, [10, 89, 91], [400])])
def test_only_archives_past_the_retention_are_deleted(tmp_path, retention, kept, deleted):
    settings = Settings(home=tmp_path, archive_retention_days=retention)
    registry = Registry(settings.registry_url)
    ids = {days: archived(registry, settings, days) for days in kept + deleted}
    assert sorted(delete_expired_archives(registry, settings, NOW, "test")) == sorted(ids[d] for d in deleted)
    for days, dataset_id in ids.items():
        assert (settings.archive_dir / f"{dataset_id}.tar.gz").exists() == (days in kept)
    assert registry.audit_trail(ids[deleted[0]])[-1].event == "archive_deleted"
    assert delete_expired_archives(registry, settings, NOW, "test") == []  # nothing twice


def test_retention_is_never_below_90_days():
    with pytest.raises(ValueError, match="expected at least 90 days"):
        load_settings({"DATAOPS_HOME": "/tmp/x", "DATAOPS_ARCHIVE_RETENTION_DAYS": "89"})
