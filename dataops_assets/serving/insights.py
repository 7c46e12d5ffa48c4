"""Quality scores and SLIs for responses, computed from the Dagster instance every `interval` seconds, never
on a request: a request reads the latest figures, or nulls (and why) before the first.

The server computes them in a worker process (`start`): building the asset graph and reading the event
log take seconds of Python, which in the server's own process would hold the GIL and stall requests.
`refresh` computes them in the calling process (tests, one-off use).
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import threading
from collections.abc import Mapping
from typing import Any

from dataops_assets.settings import Settings

log = logging.getLogger("dataops.serving")
REFRESH_SECONDS = 60


class Insights:
    def __init__(self, settings: Settings, interval: float = REFRESH_SECONDS) -> None:
        self._settings, self._interval = settings, interval
        self._by_product: dict[str, dict[str, Any]] = {}
        self._generated_at: str | None = None
        self._reason = "not computed yet"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._worker = None  # a spawned process pool of one

    def start(self) -> None:
        """Refresh in a worker process every `interval` seconds until `stop`."""
        # Niced: when it needs the CPU, requests get it first.
        self._worker = multiprocessing.get_context("spawn").Pool(1, initializer=os.nice, initargs=(10,))
        self._thread = threading.Thread(target=self._loop, name="dataops-insights", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.terminate()  # stops the worker process, even in the middle of a refresh

    def product(self, product_id: str) -> dict[str, Any]:
        """{"quality_score", "slo_status", "slis": [...], "lifecycle_status", "generated_at"}; nulls (and why)
        before the first figures."""
        found = self._by_product.get(product_id)
        if found is None:
            return {"quality_score": None, "slo_status": "unknown", "slis": [], "lifecycle_status": None,
                    "generated_at": self._generated_at, "reason": self._reason}
        return found

    def refresh(self) -> None:
        """Compute the figures now, in this process."""
        self._update(lambda: figures(self._settings))

    def _update(self, compute) -> None:
        try:
            self._by_product = compute()
            self._generated_at = _now().isoformat()
            self._reason = ""
        except Exception as exc:  # a figure missing must not stop serving data; the log says why
            self._reason = f"insights unavailable: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            log.warning(self._reason)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._update(lambda: self._worker.apply(figures, (self._settings,)))
            self._stop.wait(self._interval)


_PROJECT_AND_GRAPH: dict[Settings, tuple] = {}  # per process: the project and asset graph, built once


def figures(settings: Settings) -> dict[str, dict[str, Any]]:
    """Product -> its figures, from the Dagster instance and the registry."""
    if settings not in _PROJECT_AND_GRAPH:
        from dataops_assets.definitions import build_definitions
        from dataops_assets.project import load_project

        _PROJECT_AND_GRAPH[settings] = (load_project(settings), build_definitions(settings).resolve_asset_graph())
    return _compute(settings, *_PROJECT_AND_GRAPH[settings])


def _compute(settings: Settings, project, graph) -> dict[str, dict[str, Any]]:
    import dagster as dg

    from dataops_assets.dbt.translator import PLATFORM_GROUP
    from dataops_assets.lifecycle.registry import Registry
    from dataops_assets.quality.report import ModelGroup, quality_report
    from dataops_assets.slo.report import DEFAULT_WINDOW_DAYS, evaluate_slos

    if not settings.instance_dir.exists():
        raise FileNotFoundError(f"{settings.instance_dir}: no Dagster instance; nothing materialized yet")
    platform = ModelGroup.of_dbt_group(PLATFORM_GROUP, project.models)
    now = _now()
    with dg.DagsterInstance.from_config(str(settings.instance_dir)) as instance:
        quality = quality_report(instance, graph, project.products, project.suites, platform)
        slos = evaluate_slos(instance, graph, project.products, project.suites, platform,
                             settings.serving_requests_path, now, DEFAULT_WINDOW_DAYS)
    scores: Mapping[str, Any] = {p["id"]: p["quality_score"] for p in quality["products"]}
    statuses = Registry(settings.registry_url).product_statuses()
    return {entry["id"]: {"quality_score": scores.get(entry["id"]), "slo_status": entry["status"],
                          "slis": entry["slis"], "generated_at": now.isoformat(),
                          "lifecycle_status": statuses.get(entry["id"], project.products[entry["id"]].spec.status.value)}
            for entry in slos["products"]}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
