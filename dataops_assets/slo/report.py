"""The SLO report: each product's SLIs beside their targets, met or breached, and the error budget left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import mean
from typing import Any

import dagster as dg

from dataops_assets.catalog.products import DataProduct
from dataops_assets.quality.report import ModelGroup, quality_report
from dataops_assets.quality.suite import Suite
from dataops_assets.slo import slis
from dataops_assets.slo.history import publication_times
from dataops_assets.slo.latency import request_latencies
from dataops_assets.slo.slis import Sli, Status

DEFAULT_WINDOW_DAYS = 30
LATENCY_PERCENTILES = (50, 95, 99)


def product_slis(product: DataProduct, publications: Mapping[str, Sequence[dt.datetime]],
                 window: slis.Interval, completeness_pct: float | None,
                 latencies_ms: Sequence[float]) -> list[Sli]:
    """Every SLI of one product over the window [start, now)."""
    slos = product.spec.slos
    targets = {50: slos.latency_p50_ms, 95: slos.latency_p95_ms, 99: slos.latency_p99_ms}
    return [
        slis.availability(publications, product.refresh_schedule, window, slos.availability_pct),
        slis.freshness(publications, slos.freshness_minutes, window, slos.availability_pct),
        slis.completeness(completeness_pct, slos.completeness_pct),
        *(slis.latency(latencies_ms, p, targets[p]) for p in LATENCY_PERCENTILES),
    ]


def slo_report(instance: dg.DagsterInstance, products: Mapping[str, DataProduct], now: dt.datetime,
               window_days: int, completeness: Mapping[str, float | None],
               latencies: Mapping[str, Sequence[float]]) -> dict[str, Any]:
    """The `dataops slo report --json` document (README, SLOs)."""
    window = (now - dt.timedelta(days=window_days), now)
    entries = []
    for product in products.values():
        found = product_slis(product, publication_times(instance, product, window[0]), window,
                             completeness.get(product.id), latencies.get(product.id, ()))
        entries.append({
            "id": product.id,
            "owner": product.spec.owner.email,
            "refresh_schedule": product.refresh_schedule,
            "status": overall_status(found).value,
            "slis": [sli.to_json() for sli in found],
        })
    return {"generated_at": now.isoformat(), "window_days": window_days,
            "window": {"start": window[0].isoformat(), "end": window[1].isoformat()}, "products": entries}


def evaluate_slos(instance: dg.DagsterInstance, asset_graph, products: Mapping[str, DataProduct],
                  suites: Mapping[str, Suite], platform: ModelGroup, requests_path: Path, now: dt.datetime,
                  window_days: int) -> dict[str, Any]:
    """The report from what the platform recorded: completeness from the latest quality checks,
    latencies from the serving layer's request log (what `slo report` and the alert sensor read)."""
    quality = quality_report(instance, asset_graph, dict(products), dict(suites), platform)
    latencies = request_latencies(requests_path, (now - dt.timedelta(days=window_days), now))
    return slo_report(instance, products, now, window_days, completeness_by_product(quality), latencies)


def overall_status(found: Sequence[Sli]) -> Status:
    """Breached if any SLI is; met if every SLI with data is met; unknown when none has data."""
    statuses = {sli.status for sli in found}
    if Status.BREACHED in statuses:
        return Status.BREACHED
    return Status.MET if Status.MET in statuses else Status.UNKNOWN


def completeness_by_product(quality: Mapping[str, Any]) -> dict[str, float | None]:
    """Product -> mean completeness dimension (%) of its checked models' latest checks, from the
    quality report document; None when no completeness check has run."""
    found = {}
    for entry in quality["products"]:
        values = [m["dimensions"]["completeness"] for m in entry["models"] if "completeness" in m["dimensions"]]
        found[entry["id"]] = round(mean(values), 4) if values else None
    return found
