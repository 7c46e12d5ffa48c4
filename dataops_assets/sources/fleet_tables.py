"""Builders for fleet.equipment/assignments/maintenance and meteo.weather.

Assignments and maintenance share one timeline per piece of equipment, so an
equipment's activities never overlap, except the ~1% that have an in-progress
maintenance started while their (still open) assignment is ongoing.
"""

from __future__ import annotations

import numpy as np

from dataops_assets.sources import fake_catalog as cat
from dataops_assets.sources.landing_tables import LOGISTICS_REGIONS
from dataops_assets.sources.random_columns import (
    Chunk, Columns, LandingContext, categorical, choose_within, days_before, flatten, key_sql,
    Sql, lognormal_amounts, nullable, pick, seconds,
)

SECONDS_PER_DAY = 86_400
_BASES, _BASE_OFF, _BASE_LEN = flatten([[b[0] for b in cat.BASES[r]] for r in LOGISTICS_REGIONS])
_BASE_LAT = np.array([b[1] for r in LOGISTICS_REGIONS for b in cat.BASES[r]])
_BASE_LON = np.array([b[2] for r in LOGISTICS_REGIONS for b in cat.BASES[r]])
_DAILY_HOURS = np.array(cat.EQUIPMENT_DAILY_HOURS)
ONGOING_SHARE, OPEN_MAINTENANCE_SHARE, BOTH_OPEN_SHARE = 0.35, 0.08, 0.01


def _flags(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(has ongoing assignment, has in-progress maintenance) per equipment, exact shares."""
    order = rng.permutation(n)
    n_ongoing = round(ONGOING_SHARE * n)
    n_both = min(n_ongoing, max(1, round(BOTH_OPEN_SHARE * n)))
    n_maint_only = min(n - n_ongoing, round((OPEN_MAINTENANCE_SHARE - BOTH_OPEN_SHARE) * n))
    ongoing, open_mnt = np.zeros(n, bool), np.zeros(n, bool)
    ongoing[order[:n_ongoing]] = True
    open_mnt[order[n_ongoing - n_both:n_ongoing + n_maint_only]] = True
    return ongoing, open_mnt


def equipment_dim(ctx: LandingContext) -> dict[str, np.ndarray]:
    """All equipment attributes (small table), memoized: activities need the status flags."""

    def build(c: LandingContext) -> dict[str, np.ndarray]:
        rng, n, window = c.rng("equipment"), c.rows["equipment"], c.window
        region = categorical(rng, n, cat.LOGISTICS_REGION_WEIGHTS)
        base = choose_within(rng, _BASE_OFF[region], _BASE_LEN[region])
        kind = categorical(rng, n, cat.EQUIPMENT_TYPE_WEIGHTS)
        commissioned = days_before(rng, window.end_date, n, 0, 25 * 365)
        age_days = (np.datetime64(window.end_date, "D") - commissioned).astype(np.int64)
        stale = rng.random(n) < 0.03  # ~3% have not reported for days
        fresh_lag = np.minimum(rng.exponential(1200, n), SECONDS_PER_DAY - 1)  # ~95% within the hour
        lag = np.where(stale, rng.uniform(1, 10, n) * SECONDS_PER_DAY, fresh_lag)
        lag = np.minimum(lag, window.span_seconds - 1)
        # dbt takes max(last_ping_ts) as the fleet's as-of instant: pin it to the window end so
        # every ongoing activity has started by then and every closed one has ended.
        lag[0] = 0
        ongoing, open_mnt = _flags(c.rng("equipment/status"), n)
        return {
            "num": c.ids("equipment", 900_000, 100_000)(np.arange(n)),
            "serial": c.ids("equipment/serial", 10**7, capacity=n)(np.arange(n)),
            "region": region, "base": base, "kind": kind, "commissioned": commissioned,
            "hours": (age_days * _DAILY_HOURS[kind] * rng.uniform(0.5, 1.5, n)).astype(np.int64),
            "lat": np.round(_BASE_LAT[base] + rng.normal(0, 0.05, n), 5),
            "lon": np.round(_BASE_LON[base] + rng.normal(0, 0.05, n), 5),
            "last_ping": window.end - seconds(lag),
            "ongoing": ongoing, "open_mnt": open_mnt,
        }

    return ctx.memo("equipment", build)


def build_equipment(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    eq = {k: v[chunk.start:chunk.stop] for k, v in equipment_dim(ctx).items()}
    return {"equipment": {
        "_num": eq["num"], "_serial": eq["serial"], "_kind": pick(cat.EQUIPMENT_TYPES, eq["kind"]),
        "equipment_id": key_sql("EQ-", "_num", 6),
        "serial_number": Sql(
            "upper(left(_kind, 3)) || '-' || year(commissioned_on)::VARCHAR || '-' || lpad(_serial::VARCHAR, 7, '0')"
        ),
        "equipment_type": pick(cat.EQUIPMENT_TYPES, eq["kind"]),
        "region": pick(LOGISTICS_REGIONS, eq["region"]),
        "base": pick(_BASES, eq["base"]),
        "latitude": eq["lat"], "longitude": eq["lon"],
        "commissioned_on": eq["commissioned"],
        "operational_hours": eq["hours"],
        "last_ping_ts": eq["last_ping"],
    }}


def _spread(rng: np.random.Generator, total: int, required: np.ndarray) -> np.ndarray:
    """Events per equipment summing to total, at least one where required, skewed."""
    counts = required.astype(np.int64)
    activity = rng.lognormal(0.0, 0.6, required.size)
    return counts + rng.multinomial(max(total - counts.sum(), 0), activity / activity.sum())


def build_fleet_activity(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    """Assignments and maintenance laid out on one non-overlapping timeline per equipment."""
    eq, window = equipment_dim(ctx), ctx.window
    rng, n_eq = ctx.rng("fleet/timeline"), ctx.rows["equipment"]
    n_asg, n_mnt = ctx.rows["assignments"], ctx.rows["maintenance"]
    asg_per, mnt_per = _spread(rng, n_asg, eq["ongoing"]), _spread(rng, n_mnt, eq["open_mnt"])
    kind = np.repeat([0, 1], [n_asg, n_mnt])
    owner = np.concatenate([np.repeat(np.arange(n_eq), asg_per), np.repeat(np.arange(n_eq), mnt_per)])
    # Random order within an equipment, except open ones go last (assignment, then maintenance).
    key = rng.random(owner.size)
    key[(np.cumsum(asg_per) - asg_per)[eq["ongoing"]]] = 2.0
    key[n_asg + (np.cumsum(mnt_per) - mnt_per)[eq["open_mnt"]]] = 3.0
    order = np.lexsort((key, owner))
    kind, owner, is_open = kind[order], owner[order], key[order] >= 2.0
    gap = rng.exponential(1.0, owner.size)
    dur = rng.exponential(np.where(kind == 0, 1.6, 0.4))
    per_owner = asg_per + mnt_per
    unit = window.span_seconds / (np.bincount(owner, gap + dur, n_eq) + rng.exponential(0.5, n_eq))
    before = np.cumsum(gap + dur) - (gap + dur)
    busy = per_owner > 0
    before -= np.repeat(before[(np.cumsum(per_owner) - per_owner)[busy]], per_owner[busy])
    start_rel = (before + gap) * unit[owner]
    start = window.start + seconds(start_rel)
    end = window.start + seconds(start_rel + dur * unit[owner])
    asg, mnt = kind == 0, kind == 1
    return {
        "assignments": _assignments(ctx, eq["num"][owner[asg]], start[asg], nullable(end[asg], is_open[asg])),
        "maintenance": _maintenance(ctx, eq["num"][owner[mnt]], start[mnt], nullable(end[mnt], is_open[mnt])),
    }


def _assignments(ctx: LandingContext, equipment: np.ndarray, start: np.ndarray, end: object) -> Columns:
    rng, n = ctx.rng("assignments"), equipment.size
    missions = min(90_000, max(20, n // 6))  # several equipment pieces serve each mission
    return {
        "_num": ctx.ids("assignments", 10**8)(np.arange(n)),
        "_equipment": equipment,
        "_mission": ctx.ids("missions", 90_000, 10_000, capacity=missions)(rng.integers(0, missions, n)),
        "assignment_id": key_sql("ASG-", "_num", 8),
        "equipment_id": key_sql("EQ-", "_equipment", 6),
        "mission_id": key_sql("MSN-", "_mission", 5),
        "start_ts": start, "end_ts": end,
        "priority": pick(("routine", "priority", "critical"), categorical(rng, n, (0.6, 0.3, 0.1))),
    }


def _maintenance(ctx: LandingContext, equipment: np.ndarray, start: np.ndarray, end: object) -> Columns:
    rng, n = ctx.rng("maintenance"), equipment.size
    kind = categorical(rng, n, (0.5, 0.3, 0.2))  # scheduled, unscheduled, inspection
    return {
        "_num": ctx.ids("maintenance", 10**8)(np.arange(n)),
        "_equipment": equipment,
        "maintenance_id": key_sql("MNT-", "_num", 8),
        "equipment_id": key_sql("EQ-", "_equipment", 6),
        "maintenance_type": pick(("scheduled", "unscheduled", "inspection"), kind),
        "start_ts": start, "end_ts": end,
        "cost": lognormal_amounts(rng, np.array([1800.0, 4500.0, 400.0])[kind], 0.8, n),
    }


def build_weather(ctx: LandingContext, chunk: Chunk) -> dict[str, Columns]:
    """One row per logistics region per window day; independent of scale."""
    rng, window = ctx.rng("weather"), ctx.window
    regions = len(LOGISTICS_REGIONS)
    day = np.repeat(np.datetime64(window.start_date, "D") + np.arange(window.days), regions)
    region = np.tile(np.arange(regions), window.days)
    n = day.size
    mean_t, amp_t, mean_wind, rain_share = np.array([cat.CLIMATES[r] for r in LOGISTICS_REGIONS]).T[:, region]
    day_of_year = (day - day.astype("datetime64[Y]")).astype(np.int64)
    temperature = mean_t + amp_t * np.cos(2 * np.pi * (day_of_year - 200) / 365.25) + rng.normal(0, 3, n)
    wind = rng.gamma(2.0, mean_wind / 2.0, n)
    precipitation = np.where(rng.random(n) < rain_share, rng.exponential(6.0, n), 0.0)
    visibility = np.clip(20 - 0.8 * precipitation - 0.05 * wind + rng.normal(0, 1.5, n), 0.2, 20)
    # Severe days are the top ~7% by a wind/precipitation score (with some noise).
    score = wind / mean_wind + precipitation / 8 + rng.normal(0, 0.3, n)
    return {"weather": {
        "region": pick(LOGISTICS_REGIONS, region),
        "observed_date": day,
        "temperature_c": np.round(temperature, 1),
        "wind_kph": np.round(wind, 1),
        "precipitation_mm": np.round(precipitation, 1),
        "visibility_km": np.round(visibility, 1),
        "severe_weather": score >= np.quantile(score, 0.93),
    }}
