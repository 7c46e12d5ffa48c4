"""Benchmark: dataset registry queries at seed 004's scale (10,000 active datasets), target p95 < 100 ms.

    python benchmarks/registry_queries.py [--datasets 10000] [--seed 42] [--repeats 200]

In a temporary folder, a SQLite registry (the default backend) is filled through the Registry API
itself: every dataset is requested with request_provisioning and walked through legal transitions
with transition / request_teardown / record_quality_gate, so its audit trail and quality gates are
what the sensors would write. The limits are kept, not patched: datasets are moved on one at a time
(at most 8 per stage are left provisioning) and clients are chosen among those holding fewer than
MAX_DATASETS_PER_CLIENT non-archived datasets. 6 products, 3 stages, 250 clients; final states
about 60 % ready, 15 % archived, 10 % failed, the rest validating, teardown or provisioning; 10 %
of datasets fail once and are retried. Each dataset's events are spread over the past year.

Then each query runs --repeats times with random arguments (after 5 unmeasured warm-up calls), in
this process, through the public API (rows built into Dataset / AuditEvent objects included):
get, datasets(stage, status), datasets(client), datasets(product), audit_trail(dataset_id),
audit_trail(product), and one write (request_provisioning + transition to validating on a fresh
dataset). p50 / p95 / max in ms and rows per call; the SQLite query plan of each read is recorded.
Target: p95 < 100 ms per query. Figures are reported, never asserted.
Results: benchmarks/results/registry_queries.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from dataops_assets.lifecycle import registry as registry_module
from dataops_assets.lifecycle.registry import STAGES, Registry
from dataops_assets.lifecycle.states import DatasetState
from dataops_assets.quality.expectations import DIMENSIONS

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
TARGET_P95_MS = 100.0
PRODUCTS = ("customer_360", "sales_daily_metrics", "product_performance", "revenue_analytics",
            "contract_spend_analysis", "mission_logistics")
STAGE_WEIGHTS = (0.5, 0.3, 0.2)
CLIENTS = tuple(f"client-{i:03d}" for i in range(1, 251))
CLIENT_WEIGHTS = tuple(1 / (i + 20) for i in range(len(CLIENTS)))  # a few large accounts, a long tail
# Final state -> share of datasets; provisioning is capped by the per-stage limit instead.
OUTCOMES = {DatasetState.READY: 0.60, DatasetState.ARCHIVED: 0.15, DatasetState.FAILED: 0.10,
            DatasetState.VALIDATING: 0.07, DatasetState.TEARDOWN: 0.08}
LEFT_PROVISIONING_PER_STAGE = 8  # below MAX_PROVISIONING_PER_STAGE, so the write benchmark can request more
RETRY_SHARE = 0.10
WARM_UP = 5
ACTOR = "benchmark"
S = DatasetState


class Filler:
    """Walks datasets through the Registry API, choosing clients that still have room."""

    def __init__(self, registry: Registry, rng: random.Random):
        self.registry, self.rng = registry, rng
        self.held = Counter()  # client -> non-archived datasets
        self.ids: list[str] = []

    def client(self) -> str:
        while True:
            client = self.rng.choices(CLIENTS, CLIENT_WEIGHTS)[0]
            if self.held[client] < registry_module.MAX_DATASETS_PER_CLIENT:
                return client

    def walk(self, product: str, stage: str, outcome: DatasetState, at: dt.datetime) -> None:
        reg, rng, client = self.registry, self.rng, self.client()

        def step(to: DatasetState, reason: str, **fields) -> None:
            nonlocal at
            at += dt.timedelta(minutes=rng.randint(2, 40))
            reg.transition(dataset_id, to, ACTOR, reason, now=at, **fields)

        def gate(passed: bool) -> None:
            nonlocal at
            at += dt.timedelta(minutes=rng.randint(1, 10))
            scores = {d: round(rng.uniform(97, 100) if passed else rng.uniform(60, 99), 2) for d in DIMENSIONS}
            overall = round(statistics.fmean(scores.values()), 2)
            reg.record_quality_gate(dataset_id, scores, overall, passed,
                                    "all checks passed" if passed else "overall score below 95", ACTOR, now=at)

        dataset_id = reg.request_provisioning(product, stage, client, ACTOR, now=at).dataset_id
        self.ids.append(dataset_id)
        self.held[client] += 1
        if rng.random() < RETRY_SHARE:
            step(S.FAILED, "dbt build failed", error_message="Runtime Error: out of memory")
            step(S.PROVISIONING, "retry requested")
        if outcome is S.PROVISIONING:
            return
        if outcome is S.FAILED and rng.random() < 0.5:
            step(S.FAILED, "dbt build failed", error_message="Database Error: source table missing")
            return
        step(S.VALIDATING, "build finished", record_count=rng.randint(1_000, 5_000_000),
             size_bytes=rng.randint(10**5, 10**10))
        if outcome is S.VALIDATING:
            return
        passed = outcome is not S.FAILED
        gate(passed)
        step(S.READY if passed else S.FAILED, "quality gate passed" if passed else "quality gate failed")
        if outcome in (S.TEARDOWN, S.ARCHIVED):
            at += dt.timedelta(days=rng.randint(1, 30))
            reg.request_teardown(dataset_id, ACTOR, now=at)
            step(S.TEARDOWN, "teardown started")
        if outcome is S.ARCHIVED:
            step(S.ARCHIVED, "archived", archive_path=f"archive/{stage}/{dataset_id}.parquet")
            self.held[client] -= 1


def fill(registry: Registry, count: int, rng: random.Random,
         shares: dict[DatasetState, float] = OUTCOMES) -> list[str]:
    """`count` datasets created over the past year in time order, ending in their states by `shares`
    (READY for what the shares leave over); the provisioning ones come last."""
    left_provisioning = min(LEFT_PROVISIONING_PER_STAGE * len(STAGES), count // 100)
    walked = count - left_provisioning
    outcomes = [o for o, share in shares.items() for _ in range(round(share * walked))]
    outcomes = (outcomes + [S.READY] * walked)[:walked]
    rng.shuffle(outcomes)
    plans = [(o, rng.choices(STAGES, STAGE_WEIGHTS)[0]) for o in outcomes]
    plans += [(S.PROVISIONING, STAGES[i % len(STAGES)]) for i in range(left_provisioning)]
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=365)
    filler = Filler(registry, rng)
    for i, (outcome, stage) in enumerate(plans):
        # Created over 325 days, so the longest walk (a teardown up to 30 days later) ends in the past.
        filler.walk(rng.choice(PRODUCTS), stage, outcome, start + dt.timedelta(days=325 * i / len(plans)))
    return filler.ids


def timed(call: Callable[[], object], repeats: int) -> dict:
    for _ in range(WARM_UP):
        call()
    ms, rows = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = call()
        ms.append((time.perf_counter() - t0) * 1000)
        rows.append(len(result) if isinstance(result, list) else 1)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94]
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(p95, 2), "max_ms": round(max(ms), 2),
            "rows_mean": round(statistics.fmean(rows), 1), "rows_max": max(rows), "calls": repeats,
            "met": p95 < TARGET_P95_MS}


def query_plan(engine: sa.Engine, query: sa.Select) -> list[str]:
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        return [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]


def measure(registry: Registry, ids: list[str], rng: random.Random, repeats: int) -> dict:
    d, a = registry_module.datasets, registry_module.audit_events
    by_created = (d.c.created_at, d.c.dataset_id)
    with registry.engine.connect() as conn:
        held = Counter(dict(conn.execute(sa.select(d.c.client, sa.func.count()).where(
            d.c.status != S.ARCHIVED.value).group_by(d.c.client)).all()))
    states = list(S)

    def fresh_dataset() -> object:
        client = rng.choice([c for c in CLIENTS if held[c] < registry_module.MAX_DATASETS_PER_CLIENT])
        held[client] += 1
        created = registry.request_provisioning(rng.choice(PRODUCTS), rng.choice(STAGES), client, ACTOR)
        return registry.transition(created.dataset_id, S.VALIDATING, ACTOR, "build finished",
                                   expected=S.PROVISIONING)

    reads = {
        "get(dataset_id)": (lambda: registry.get(rng.choice(ids)),
                            sa.select(d).where(d.c.dataset_id == ids[0])),
        "datasets(stage, status)": (lambda: registry.datasets(stage=rng.choice(STAGES), status=rng.choice(states)),
                                    sa.select(d).where(d.c.stage == "sandbox", d.c.status == "ready").order_by(*by_created)),
        "datasets(client)": (lambda: registry.datasets(client=rng.choice(CLIENTS)),
                             sa.select(d).where(d.c.client == CLIENTS[0]).order_by(*by_created)),
        "datasets(product)": (lambda: registry.datasets(product=rng.choice(PRODUCTS)),
                              sa.select(d).where(d.c.product == PRODUCTS[0]).order_by(*by_created)),
        "audit_trail(dataset_id)": (lambda: registry.audit_trail(dataset_id=rng.choice(ids)),
                                    sa.select(a).where(a.c.dataset_id == ids[0]).order_by(a.c.event_id)),
        "audit_trail(product)": (lambda: registry.audit_trail(product=rng.choice(PRODUCTS)),
                                 sa.select(a).where(a.c.product == PRODUCTS[0]).order_by(a.c.event_id)),
    }
    results = {name: {**timed(call, repeats), "plan": query_plan(registry.engine, query)}
               for name, (call, query) in reads.items()}
    results["request_provisioning + transition (write)"] = timed(fresh_dataset, repeats)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="registry-bench-") as folder:
        registry = Registry(f"sqlite:///{Path(folder) / 'registry.db'}")
        t0 = time.perf_counter()
        ids = fill(registry, args.datasets, rng)
        fill_seconds = time.perf_counter() - t0
        with registry.engine.connect() as conn:
            count = lambda table: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()  # noqa: E731
            tables = registry_module.datasets, registry_module.audit_events, registry_module.quality_gates
            n_datasets, n_events, n_gates = (count(t) for t in tables)
            statuses = dict(conn.execute(sa.select(registry_module.datasets.c.status, sa.func.count())
                                         .group_by(registry_module.datasets.c.status)).all())
        queries = measure(registry, ids, rng, args.repeats)
        registry.engine.dispose()
    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "backend": f"sqlite {sa.create_engine('sqlite://').dialect.dbapi.sqlite_version}",
        "seed": args.seed,
        "datasets": n_datasets, "statuses": statuses, "clients": len(CLIENTS), "products": len(PRODUCTS),
        "audit_events": n_events, "quality_gates": n_gates,
        "fill": {"method": "Registry API (request_provisioning, transition, request_teardown, record_quality_gate), "
                           "one transaction per call, limits kept", "seconds": round(fill_seconds, 1)},
        "target": {"p95_ms": TARGET_P95_MS},
        "queries": queries,
        "met": {name: q["met"] for name, q in queries.items()},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "registry_queries.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{n_datasets:,} datasets, {n_events:,} audit events, {n_gates:,} quality gates; "
          f"filled through the API in {fill_seconds:.1f} s")
    print(f"{'query':44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'rows':>8}  p95 < {TARGET_P95_MS:g} ms")
    for name, q in queries.items():
        print(f"{name:44} {q['p50_ms']:8.2f} {q['p95_ms']:8.2f} {q['max_ms']:8.2f} {q['rows_mean']:8.0f}  "
              f"{'met' if q['met'] else 'MISSED'}")
    print(f"Results: {RESULTS / 'registry_queries.json'}")


if __name__ == "__main__":
    main()
