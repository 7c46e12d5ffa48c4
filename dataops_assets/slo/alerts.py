"""SLO breach and recovery alerts: one when an SLO becomes breached, one when it is met again.

Each alert is appended to $DATAOPS_HOME/alerts.jsonl and, when a webhook URL is set, POSTed to it as
JSON; a webhook that fails is retried, then logged, and never stops the caller."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

WEBHOOK_ATTEMPTS = 3
WEBHOOK_TIMEOUT_SECONDS = 5.0
WEBHOOK_BACKOFF_SECONDS = 0.5  # doubled after each failed attempt
BREACHED, MET = "breached", "met"


@dataclass(frozen=True)
class Alert:
    kind: str  # breach | recovery
    product: str
    slo: str
    target: float
    observed: float
    unit: str
    owner: str
    at: str  # ISO 8601 UTC: when the evaluation saw the change

    @property
    def message(self) -> str:
        verb = "breached" if self.kind == "breach" else "met again"
        return (f"{self.product}: SLO {self.slo} {verb}: observed {self.observed:g} {self.unit}, "
                f"target {self.target:g} {self.unit} (owner {self.owner})")

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message}


def state_changes(previous: Mapping[str, str], report: Mapping[str, Any]) -> tuple[list[Alert], dict[str, str]]:
    """Alerts for SLOs whose status changed since `previous` (`product:slo` -> met|breached), and the
    new state. An SLO without data keeps its last known state, so a gap never re-fires an alert."""
    state, alerts = dict(previous), []
    for product in report["products"]:
        for sli in product["slis"]:
            key, status = f"{product['id']}:{sli['slo']}", sli["status"]
            if status not in (MET, BREACHED):
                continue
            before = state.get(key)
            if status == BREACHED and before != BREACHED:
                alerts.append(_alert("breach", product, sli, report["generated_at"]))
            elif status == MET and before == BREACHED:
                alerts.append(_alert("recovery", product, sli, report["generated_at"]))
            state[key] = status
    return alerts, state


def deliver(alerts: Iterable[Alert], path: Path, webhook_url: str | None, log: logging.Logger) -> None:
    alerts = list(alerts)
    if not alerts:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        for alert in alerts:
            out.write(json.dumps(alert.to_json()) + "\n")
    for alert in alerts:
        log.warning(alert.message)
        if webhook_url:
            post_with_retries(webhook_url, alert.to_json(), log)


def post_with_retries(url: str, payload: Mapping[str, Any], log: logging.Logger) -> bool:
    """POST the payload as JSON; True once a 2xx answer came back, False after the last failed attempt."""
    body = json.dumps(payload).encode()
    wait = WEBHOOK_BACKOFF_SECONDS
    for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
        request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS):
                return True
        except (urllib.error.URLError, OSError) as exc:
            log.warning(f"alert webhook {url}: attempt {attempt}/{WEBHOOK_ATTEMPTS} failed: {exc}")
        if attempt < WEBHOOK_ATTEMPTS:
            time.sleep(wait)
            wait *= 2
    log.error(f"alert webhook {url}: gave up after {WEBHOOK_ATTEMPTS} attempts; the alert is in alerts.jsonl")
    return False


def _alert(kind: str, product: Mapping[str, Any], sli: Mapping[str, Any], at: str) -> Alert:
    return Alert(kind=kind, product=product["id"], slo=sli["slo"], target=sli["target"], observed=sli["observed"],
                 unit=sli["unit"], owner=product["owner"], at=at)
