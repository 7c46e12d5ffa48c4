"""Deleting dataset archives once their retention has passed (seed 004: 90 days at least)."""

import datetime as dt
from pathlib import Path

import dagster as dg
from dagster._time import get_current_datetime

from dataops_assets.lifecycle.registry import Registry
from dataops_assets.lifecycle.states import DatasetState
from dataops_assets.settings import Settings

CLEANUP_JOB = "archive_cleanup"
CLEANUP_CRON = "0 3 * * *"  # daily, 03:00 UTC


def delete_expired_archives(registry: Registry, settings: Settings, now: dt.datetime, actor: str) -> list[str]:
    """Delete the archive of every dataset archived more than the retention ago; the dataset ids deleted.
    An archive still inside its retention is never touched."""
    cutoff = now - dt.timedelta(days=settings.archive_retention_days)
    deleted = []
    for dataset in registry.datasets(status=DatasetState.ARCHIVED):
        archive = Path(dataset.archive_path) if dataset.archive_path else None
        if dataset.archived_at is None or dataset.archived_at >= cutoff or archive is None or not archive.exists():
            continue
        archive.unlink()
        registry.record_event(dataset.dataset_id, "archive_deleted", actor,
                              f"retention of {settings.archive_retention_days} days passed", now=now,
                              archive_path=str(archive), archived_at=dataset.archived_at.isoformat())
        deleted.append(dataset.dataset_id)
    return deleted


def build_archive_cleanup(settings: Settings) -> tuple[dg.JobDefinition, dg.ScheduleDefinition]:
    @dg.op(name="delete_expired_archives")
    def delete_expired(context: dg.OpExecutionContext) -> list[str]:
        deleted = delete_expired_archives(Registry(settings.registry_url), settings,
                                          get_current_datetime(), f"schedule:{CLEANUP_JOB}")
        context.log.info(f"deleted {len(deleted)} archive(s) older than {settings.archive_retention_days} days")
        return deleted

    @dg.job(name=CLEANUP_JOB, description=f"Deletes dataset archives older than {settings.archive_retention_days} "
                                          "days (DATAOPS_ARCHIVE_RETENTION_DAYS, never under 90).")
    def archive_cleanup():
        delete_expired()

    schedule = dg.ScheduleDefinition(
        name=f"{CLEANUP_JOB}_schedule", cron_schedule=CLEANUP_CRON, job=archive_cleanup, execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING if settings.schedules_running
        else dg.DefaultScheduleStatus.STOPPED)
    return archive_cleanup, schedule
