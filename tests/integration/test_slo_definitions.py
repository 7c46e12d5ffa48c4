"""What each product's SLO fields become in the Definitions the UI loads: freshness policies, a refresh
job with the spec's retries, and a schedule named after the product running the latest partition."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import dagster as dg
import pytest

from tests.sandbox import PRODUCT_IDS

from dataops_assets.definitions import build_definitions
from dataops_assets.settings import Settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("slo_defs_home"), first_partition=dt.date(2026, 10, 1))


@pytest.fixture(scope="module")
def repository(settings):
    return build_definitions(settings).get_repository_def()


def test_public_and_published_assets_carry_the_spec_freshness(repository):
    graph = repository.asset_graph
    for key, minutes in [("equipment_status", 5), ("published_equipment_status", 5),
                         ("sales_daily_metrics", 60), ("published_revenue_monthly", 1440)]:
        policy = graph.get(dg.AssetKey(key)).freshness_policy
        assert policy.fail_window.to_timedelta() == dt.timedelta(minutes=minutes), key
        assert policy.warn_window.to_timedelta() == dt.timedelta(minutes=0.8 * minutes), key
    assert graph.get(dg.AssetKey("stg_pos__transactions")).freshness_policy is None  # not a product's promise


def test_one_stopped_schedule_per_product_on_its_spec_cadence(repository):
    schedules = {s.name: s for s in repository.schedule_defs}
    assert set(schedules) == {f"{p}_schedule" for p in PRODUCT_IDS} | {"archive_cleanup_schedule"}
    assert schedules["mission_logistics_schedule"].cron_schedule == "*/2 * * * *"
    assert schedules["sales_daily_metrics_schedule"].cron_schedule == "*/30 * * * *"
    assert {s.default_status for s in schedules.values()} == {dg.DefaultScheduleStatus.STOPPED}
    assert repository.get_sensor_def("slo_alerts").default_status == dg.DefaultSensorStatus.STOPPED


def test_schedules_run_the_latest_partition_and_publish(repository):
    tick = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.timezone.utc)
    for product, key in [("sales_daily_metrics", "2026-11-20"), ("revenue_analytics", "2026-11-01"),
                         ("mission_logistics", None)]:
        schedule = repository.get_schedule_def(f"{product}_schedule")
        with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
            [request] = schedule.evaluate_tick(context).run_requests
        assert request.partition_key == key, product
        job = repository.get_job(f"{product}_refresh")
        selected = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
        assert any(name.startswith("published_") for name in selected), selected


def test_product_steps_retry_as_the_spec_says(repository):
    job = repository.get_job("customer_360_refresh")
    assert job.op_retry_policy == dg.RetryPolicy(max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL)
    publish = repository.assets_defs_by_key[dg.AssetKey("published_equipment_status")]
    assert publish.op.retry_policy == dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)


def test_settings_turn_schedules_on_and_shorten_their_cadence(settings):
    repository = build_definitions(replace(settings, schedules_running=True, schedule_cron="* * * * *")
                                   ).get_repository_def()
    schedule = repository.get_schedule_def("customer_360_schedule")
    assert (schedule.cron_schedule, schedule.default_status) == ("* * * * *", dg.DefaultScheduleStatus.RUNNING)
