"""SLO evaluation on a real Dagster instance with controlled clocks: Dagster's own freshness evaluation of
the spec's policy, the breach sensor's alerts (file and webhook), and availability from seeded history."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.definitions.freshness_evaluator import FRESHNESS_EVALUATORS_BY_POLICY_TYPE
from dagster._core.loader import LoadingContextForTest
from dagster._core.test_utils import freeze_time, instance_for_test

from dataops_assets.catalog.products import load_products, read_manifest
from dataops_assets.dbt.manifest import ensure_manifest
from dataops_assets.definitions import build_definitions
from dataops_assets.settings import Settings
from dataops_assets.slo.report import slo_report

NOON = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.timezone.utc)
EQUIPMENT = dg.AssetKey("published_equipment_status")  # mission_logistics: 5-minute freshness, */2 refresh


def at(minutes: float) -> dt.datetime:
    return NOON + dt.timedelta(minutes=minutes)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path)


@pytest.fixture
def instance():
    with instance_for_test() as instance:
        yield instance


def publish(instance: dg.DagsterInstance, key: dg.AssetKey, when: dt.datetime) -> None:
    with freeze_time(when):
        instance.report_runless_asset_event(dg.AssetMaterialization(key))


def test_dagster_evaluates_the_spec_freshness_pass_warn_fail(settings, instance):
    node = build_definitions(settings).resolve_asset_graph().get(EQUIPMENT)
    evaluator = FRESHNESS_EVALUATORS_BY_POLICY_TYPE[type(node.freshness_policy)]()

    def state(minutes_after_publication: float) -> FreshnessState:
        with freeze_time(at(minutes_after_publication)), ThreadPoolExecutor(1) as thread:
            # Its own thread: the session's browser (Playwright) keeps an event loop running in this one.
            coroutine = evaluator.evaluate_freshness(LoadingContextForTest(instance), node)
            return thread.submit(asyncio.run, coroutine).result()

    assert state(0) == FreshnessState.UNKNOWN  # never materialized
    publish(instance, EQUIPMENT, NOON)
    # Budget 5 min: warn from 4 (80 %), fail from 5.
    assert [state(m) for m in (1, 3.9, 4, 4.9, 5, 30)] == [
        FreshnessState.PASS, FreshnessState.PASS, FreshnessState.WARN, FreshnessState.WARN,
        FreshnessState.FAIL, FreshnessState.FAIL]


def test_availability_and_error_budget_from_seeded_history(settings, instance):
    products = load_products(read_manifest(ensure_manifest(settings)))
    # mission_logistics refreshes every 2 minutes; published at 12:00, 12:02, 12:05 and 12:11.
    for minute in (0.5, 2.5, 5.5, 11.5):
        publish(instance, EQUIPMENT, at(minute))
    document = slo_report(instance, {"mission_logistics": products["mission_logistics"]}, at(13), 1, {}, {})
    slis = {s["slo"]: s for s in document["products"][0]["slis"]}
    # Live from 12:00:30; ticks 12:02 ... 12:12 -> closed intervals [2,4) [4,6) [6,8) [8,10) [10,12): 5 expected;
    # publications fall in [2,4), [4,6) and [10,12): 3 of 5 = 60 %; 0.01 % of 5 may fail = 0.0005.
    assert slis["availability"]["observed"] == 60.0
    assert slis["availability"]["error_budget"] == {"unit": "failed publications", "allowed": 0.0, "spent": 2,
                                                    "left": -2.0}
    # Latest publication 12:11:30, now 12:13: 1.5 min old. Stale while older than 5 min: [10.5, 11.5) = 1 min
    # of the span [0.5, 13) = 12.5 min, of which 0.01 % (0.00125 min) may be stale.
    assert (slis["freshness"]["observed"], slis["freshness"]["status"]) == (1.5, "met")
    assert slis["freshness"]["error_budget"] == {"unit": "stale minutes", "allowed": 0.0, "spent": 1.0, "left": -1.0}
    assert slis["latency_p95"]["observed"] is None and slis["latency_p95"]["reason"]


class Hook(BaseHTTPRequestHandler):
    received: list[dict] = []
    failures_left = 0

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if Hook.failures_left > 0:
            Hook.failures_left -= 1
            self.send_response(500)
        else:
            Hook.received.append(body)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        """No access log on stderr: the tests read stderr for the sensor's own messages."""


@pytest.fixture
def webhook():
    Hook.received, Hook.failures_left = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts"
    server.shutdown()
    server.server_close()
    thread.join()


@functools.cache
def repository_for(settings: Settings) -> dg.RepositoryDefinition:
    return build_definitions(settings).get_repository_def()


def evaluate(settings: Settings, instance: dg.DagsterInstance, when: dt.datetime, cursor: str | None) -> str:
    repository = repository_for(settings)
    context = dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=repository)
    with freeze_time(when):
        repository.get_sensor_def("slo_alerts")(context)
    return context.cursor


def alerts(settings: Settings, slo: str) -> list[dict]:
    lines = settings.alerts_path.read_text().splitlines() if settings.alerts_path.exists() else []
    return [a for a in map(json.loads, lines) if a["product"] == "mission_logistics" and a["slo"] == slo]


def test_breach_alerts_once_and_recovery_once_to_file_and_webhook(settings, instance, webhook):
    settings = replace(settings, alert_webhook_url=webhook)
    publish(instance, EQUIPMENT, NOON)
    cursor = evaluate(settings, instance, at(3), None)  # 3 min old: met
    assert alerts(settings, "freshness") == []
    for minute in (6, 7, 8):  # a sustained breach: past 5 minutes on three evaluations
        cursor = evaluate(settings, instance, at(minute), cursor)
    publish(instance, EQUIPMENT, at(9))
    for minute in (10, 11):
        cursor = evaluate(settings, instance, at(minute), cursor)
    sent = alerts(settings, "freshness")
    assert [a["kind"] for a in sent] == ["breach", "recovery"]
    breach = sent[0]
    assert (breach["target"], breach["observed"], breach["unit"]) == (5, 6, "minutes")
    assert breach["owner"] == "mission-planning@example.com" and breach["at"] == at(6).isoformat()
    assert [(a["kind"], a["slo"]) for a in Hook.received if a["product"] == "mission_logistics"
            and a["slo"] == "freshness"] == [("breach", "freshness"), ("recovery", "freshness")]


def test_a_failing_webhook_is_retried_then_logged_and_never_stops_the_sensor(settings, instance, webhook, capfd):
    publish(instance, EQUIPMENT, NOON)
    Hook.failures_left = 2  # two 500s, then accepted: the retries deliver it
    evaluate(replace(settings, alert_webhook_url=webhook), instance, at(6), None)
    # 12:06: freshness (6 min > 5) and availability ([12:02, 12:04) and [12:04, 12:06) unpublished) breached.
    assert sorted(a["slo"] for a in Hook.received if a["product"] == "mission_logistics") == [
        "availability", "freshness"]
    unreachable = webhook.rsplit(":", 1)[0] + ":9/alerts"  # discard port: nothing listens
    other = replace(settings, home=settings.home / "other", alert_webhook_url=unreachable)
    evaluate(other, instance, at(6), None)
    assert [a["kind"] for a in alerts(other, "freshness")] == ["breach"]  # still written to the file
    assert "gave up after 3 attempts; the alert is in alerts.jsonl" in capfd.readouterr().err
