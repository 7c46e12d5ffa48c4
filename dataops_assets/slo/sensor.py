"""The `slo_alerts` sensor: evaluates every product's SLIs and alerts on breach and on recovery."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import dagster as dg
from dagster._time import get_current_datetime

from dataops_assets.catalog.products import DataProduct
from dataops_assets.quality.report import ModelGroup
from dataops_assets.quality.suite import Suite
from dataops_assets.settings import Settings
from dataops_assets.slo.alerts import deliver, state_changes
from dataops_assets.slo.report import DEFAULT_WINDOW_DAYS, evaluate_slos

SENSOR_NAME = "slo_alerts"
INTERVAL_SECONDS = 60


def build_slo_sensor(products: Mapping[str, DataProduct], suites: Mapping[str, Suite], platform: ModelGroup,
                     settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name=SENSOR_NAME,
        minimum_interval_seconds=INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING if settings.schedules_running else dg.DefaultSensorStatus.STOPPED,
        description=(f"Every {INTERVAL_SECONDS} s: each product's SLIs over {DEFAULT_WINDOW_DAYS} days; one alert "
                     f"when an SLO becomes breached, one when it is met again ({settings.alerts_path})."),
    )
    def slo_alerts(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        now = get_current_datetime().astimezone(dt.timezone.utc).replace(microsecond=0)
        report = evaluate_slos(context.instance, context.repository_def.asset_graph, products, suites, platform,
                               settings.serving_requests_path, now, DEFAULT_WINDOW_DAYS)
        alerts, state = state_changes(json.loads(context.cursor or "{}"), report)
        deliver(alerts, settings.alerts_path, settings.alert_webhook_url, context.log)
        context.update_cursor(json.dumps(state, sort_keys=True))
        breached = sorted(key for key, status in state.items() if status == "breached")
        return dg.SkipReason(f"{len(alerts)} alert(s) sent; breached now: {', '.join(breached) or 'none'}")

    return slo_alerts
