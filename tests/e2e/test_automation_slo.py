"""Under `dagster dev` (daemon running): a product schedule turned on launches a run that publishes, the
SLO report then shows its freshness met, and the UI lists every product's schedule and shows freshness."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request

import dagster as dg
import pytest

from tests.sandbox import PRODUCT_IDS, REPO_ROOT, VENV_BIN, published_version

SCHEDULE = "mission_logistics_schedule"
START_SCHEDULE = """mutation($selector: ScheduleSelector!) {
  startSchedule(scheduleSelector: $selector) { __typename ... on PythonError { message } } }"""


def graphql(url: str, query: str, variables: dict) -> dict:
    request = urllib.request.Request(f"{url}/graphql", data=json.dumps({"query": query, "variables": variables}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


def scheduled_runs(home, status: dg.DagsterRunStatus) -> list[dg.DagsterRun]:
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        return list(instance.get_runs(filters=dg.RunsFilter(tags={"dagster/schedule_name": SCHEDULE},
                                                             statuses=[status])))


@pytest.fixture(scope="module")
def mission_schedule_on(dagster_dev) -> str:
    """Turned on before the browser tests, so the minute tick it waits for comes while they run."""
    selector = {"repositoryLocationName": "dataops_assets", "repositoryName": "__repository__",
                "scheduleName": SCHEDULE}
    started = graphql(dagster_dev.url, START_SCHEDULE, {"selector": selector})["startSchedule"]
    assert started["__typename"] == "ScheduleStateResult", started
    return SCHEDULE


def test_automation_page_lists_each_product_schedule_and_the_alert_sensor(dagster_dev, browser, mission_schedule_on):
    page = browser.new_page(viewport={"width": 1600, "height": 1400})
    # "load", not "networkidle": the UI keeps polling, and under load it may never be idle for long.
    page.goto(f"{dagster_dev.url}/automation", wait_until="load", timeout=60_000)
    page.get_by_text("slo_alerts").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    text = page.inner_text("body")
    page.screenshot(path=str(REPO_ROOT / "test-artifacts" / "automation.png"))
    for product in PRODUCT_IDS:
        assert f"{product}_schedule" in text, f"{product}_schedule not on the Automation page"
    for sensor in ("dataset_requests", "dataset_progress"):  # the lifecycle sensors
        assert sensor in text, f"{sensor} not on the Automation page"
    page.close()


def test_asset_page_shows_the_freshness_policy(dagster_dev, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1400})
    # "load", not "networkidle": the UI keeps polling, and under load it may never be idle for long.
    page.goto(f"{dagster_dev.url}/assets/published_equipment_status", wait_until="load", timeout=60_000)
    page.get_by_text("Fails if more than 5 minutes since last materialization").wait_for(timeout=60_000)
    page.wait_for_timeout(1000)  # let the policy's state load before the screenshot
    page.screenshot(path=str(REPO_ROOT / "test-artifacts" / "asset-freshness.png"))
    assert "Warns if more than 4 minutes since last materialization" in page.inner_text("body")
    page.close()


def test_the_schedule_tick_publishes_and_the_slo_report_shows_freshness_met(dagster_dev, mission_schedule_on):
    home = dagster_dev.home
    deadline = time.monotonic() + 240  # the next minute's tick, then the run
    while not scheduled_runs(home, dg.DagsterRunStatus.SUCCESS):
        failed = scheduled_runs(home, dg.DagsterRunStatus.FAILURE)
        assert not failed, f"scheduled run {failed[0].run_id} failed; see {home / 'dagster_dev.log'}"
        assert time.monotonic() < deadline, f"no scheduled run succeeded in 240 s; see {home / 'dagster_dev.log'}"
        time.sleep(2)
    assert published_version(home, "mission_logistics", "equipment_status") >= 2  # the session's run made v=1

    result = subprocess.run([str(VENV_BIN / "dataops"), "slo", "report", "--product", "mission_logistics", "--json"],
                            cwd=REPO_ROOT, env=dagster_dev.env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    [product] = json.loads(result.stdout)["products"]
    freshness = next(s for s in product["slis"] if s["slo"] == "freshness")
    assert freshness["status"] == "met" and freshness["observed"] < 5, freshness
