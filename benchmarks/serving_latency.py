"""Benchmark: `/data` latency of `dataops serve` under 50 concurrent clients, idle and during a full run.

    python benchmarks/serving_latency.py --home .dataops-bench [--clients 50] [--requests 2000] [--think-ms 1000]

Over a home already materialized (`make bench` runs run_cost.py first, at BENCH_SCALE=10), it starts
`dataops serve` on a free 127.0.0.1 port (a key in DATAOPS_API_KEYS, no rate limit in the way) and
sends, from an asyncio client in this process (httpx; a bounded load: --requests per product and
round, --clients at once, each client waiting a think time of 0.5 to 1.5 x --think-ms after each
answer, as a dashboard or an application does, and the clients arriving over the first 2 x --think-ms
rather than all in one millisecond), a mix of filter + sort + limit-100 reads:

- mission_logistics: status = one of three, risk_score >= a random threshold, sorted by risk_score desc;
- sales_daily_metrics: sales_date >= a random day of the last 30, region = one of three, revenue >= a
  random threshold, sorted by revenue desc.

The random thresholds make nearly every read distinct, so the server's page cache rarely answers.
Phase `idle`: nothing else runs. Phase `idle_saturated`: no think time, each client sends its next
request on the last answer (the server's capacity; latency is then clients / throughput). Phase
`materializing`: `dataops materialize --partition-range all`
runs meanwhile (dbt writing the warehouse, publications swapping `current`); the load repeats until it
ends. Reported per product and phase: client-side p50/p95/p99/max, the server's own figures from its
request log (what `dataops slo report` reads), errors (any status but 200), and the product's SLO
targets. The baseline is the same reads run directly through the reader in this process (no HTTP, no
cache): `ratio_p95_to_direct` is the serving overhead. Figures are reported, never asserted.
Results: benchmarks/results/serving_latency.json and serving_latency.png.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
BIN = Path(sys.executable).parent
PRODUCTS = ("mission_logistics", "sales_daily_metrics")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def query_mix(product: str, days: list[str], rng: random.Random) -> dict[str, list[str] | str]:
    if product == "mission_logistics":
        return {"filters": [f"status:{rng.choice(['available', 'in-use', 'maintenance'])}",
                            f"risk_score:gte:{rng.uniform(0, 0.5):.4f}"],
                "sort": "risk_score:desc", "limit": "100"}
    return {"filters": [f"sales_date:gte:{rng.choice(days[-30:])}",
                        f"region:{rng.choice(['europe', 'north_america', 'asia_pacific'])}",
                        f"revenue:gte:{rng.uniform(0, 50):.2f}"],
            "sort": "revenue:desc", "limit": "100"}


def lower_session_priority(pid: int, niceness: int) -> None:
    """The whole session of `pid` at `niceness`. With autogroup scheduling (Linux's default on desktops and
    on this machine, /proc/sys/kernel/sched_autogroup_enabled) a session's processes share one CPU weight,
    so `nice` alone changes nothing against another session (the server's): the session's autogroup is set."""
    autogroup = Path(f"/proc/{pid}/autogroup")
    if autogroup.exists():
        autogroup.write_text(str(niceness))


def percentiles(samples: list[float]) -> dict[str, float | int | None]:
    if not samples:
        return {"requests": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(samples)
    pick = lambda p: round(ordered[max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1)], 2)  # noqa: E731 (nearest rank)
    return {"requests": len(ordered), "p50_ms": pick(50), "p95_ms": pick(95), "p99_ms": pick(99),
            "max_ms": round(ordered[-1], 2)}


async def load(url: str, key: str, product: str, days: list[str], clients: int, requests: int,
               seed: int, think_ms: float = 0) -> tuple[list[float], list[str]]:
    """`requests` reads from `clients` concurrent clients; client-side milliseconds and any errors."""
    latencies, errors = [], []
    remaining = iter(range(requests))
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, limits=limits,
                                 timeout=60) as client:
        async def one_client() -> None:
            if think_ms:  # clients arrive over two think times, not all in the same millisecond
                await asyncio.sleep(rng.uniform(0, 2 * think_ms / 1000))
            for _ in remaining:
                params = query_mix(product, days, rng)
                started = time.perf_counter()
                try:
                    answer = await client.get(f"/api/v1/products/{product}/data", params=params)
                    status = answer.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                latencies.append(1000 * (time.perf_counter() - started))
                if status != 200:
                    errors.append(str(status))
                if think_ms:
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think_ms / 1000)

        await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, errors


def direct_baseline(home: Path, served: dict, days: list[str], requests: int, seed: int) -> dict[str, dict]:
    """The same reads through the reader in this process (the same models, ordered as the server orders
    them): no HTTP, no page cache."""
    from dataops_assets.serving.query import parse_read
    from dataops_assets.serving.reader import SnapshotReader

    reader = SnapshotReader(home / "published", home / "restricted", load_in_background=False)
    found = {}
    for product in PRODUCTS:
        rng = random.Random(seed)
        model = served[product].models[served[product].default_model]
        snapshot = reader.snapshot(product, model.name, cluster_by=model.cluster_by)
        samples = []
        for _ in range(requests):
            params = query_mix(product, days, rng)
            started = time.perf_counter()
            reader._read(snapshot, parse_read(params["filters"], [params["sort"]], 100, 0, snapshot.columns))
            samples.append(1000 * (time.perf_counter() - started))
        found[product] = percentiles(samples)
    reader.close()
    return found


def server_side(log: Path, since: dt.datetime, until: dt.datetime) -> dict[str, dict]:
    samples: dict[str, list[float]] = {}
    for line in log.read_text().splitlines() if log.exists() else []:
        try:
            record = json.loads(line)
            at = dt.datetime.fromisoformat(record["at"])
        except (ValueError, KeyError):
            continue
        if since <= at <= until and record.get("status") == 200 and record.get("product") in PRODUCTS:
            samples.setdefault(record["product"], []).append(float(record["ms"]))
    return {p: percentiles(samples.get(p, [])) for p in PRODUCTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=REPO / ".dataops-bench")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="per product and round")
    parser.add_argument("--think-ms", type=float, default=1000, help="mean wait of a client between requests")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--run-niceness", type=int, default=0, help="run the materialization at niceness N, its "
                        "session's autogroup too (serving first when both share the cores); results then go to "
                        "serving_latency_nice_N.*")
    args = parser.parse_args()
    home = args.home.resolve()
    sys.path.insert(0, str(REPO))
    from dataops_assets.governance.masking import create_masking_key
    from dataops_assets.project import load_project
    from dataops_assets.publish.records import current_publication
    from dataops_assets.serving.catalog import served_products
    from dataops_assets.serving.keys import KEY_PREFIX, digest
    from dataops_assets.settings import load_settings

    settings = load_settings({"DATAOPS_HOME": str(home)})
    sales = current_publication(settings.published_dir, "sales_daily_metrics", "sales_daily_metrics")
    if sales is None:
        raise SystemExit(f"{home}: nothing published; run `make bench` (run_cost.py materializes it) first")
    days = sorted(sales.partition_rows)
    create_masking_key(home)  # as `make instance` does: the run publishes customer_360's keyed masks
    project = load_project(settings)
    products, served = project.products, served_products(project)
    key = f"{KEY_PREFIX}0badc0de_{os.urandom(16).hex()}"
    keys = {"keys": [{"id": "0badc0de", "principal": "bench", "clearance": "TS", "sha256": digest(key),
                      "created_at": dt.datetime.now(dt.timezone.utc).isoformat()}]}
    env = {**os.environ, "DATAOPS_HOME": str(home), "DAGSTER_HOME": str(settings.instance_dir),
           "DATAOPS_API_KEYS": json.dumps(keys), "DATAOPS_RATE_LIMIT": "100000000", "DATAOPS_RATE_BURST": "100000000"}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(BIN / "dataops"), "serve", "--port", str(port)], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    results: dict = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "home": str(home),
                     "clients": args.clients, "requests_per_product_and_round": args.requests,
                     "think_ms": args.think_ms,
                     "cpu_count": os.cpu_count(), "phases": {}}
    samples: dict[str, dict[str, list[float]]] = {}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"dataops serve did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
        for product in PRODUCTS:  # warm-up: first reads of each version load its footers
            asyncio.run(load(url, key, product, days, 5, 50, args.seed))

        def phase(name: str, keep_going, think_ms: float) -> None:
            since = dt.datetime.now(dt.timezone.utc)
            found = {p: ([], []) for p in PRODUCTS}
            rounds, began = 0, time.monotonic()
            while True:
                for product in PRODUCTS:
                    lat, err = asyncio.run(load(url, key, product, days, args.clients, args.requests,
                                                args.seed + rounds, think_ms))
                    found[product][0].extend(lat)
                    found[product][1].extend(err)
                rounds += 1
                if not keep_going():
                    break
            time.sleep(1.5)  # the request log is written in batches
            server_figures = server_side(settings.serving_requests_path, since, dt.datetime.now(dt.timezone.utc))
            results["phases"][name] = {"rounds": rounds, "think_ms": think_ms,
                                       "requests_per_second": round(sum(len(f[0]) for f in found.values())
                                                                    / (time.monotonic() - began), 1),
                                       "products": {
                p: {"client": percentiles(found[p][0]), "server": server_figures[p], "errors": len(found[p][1]),
                    "error_statuses": sorted(set(found[p][1]))[:10],
                    "slo_p95_ms": products[p].spec.slos.latency_p95_ms,
                    "slo_p95_met_client": (percentiles(found[p][0])["p95_ms"] or 1e9) < products[p].spec.slos.latency_p95_ms}
                for p in PRODUCTS}}
            samples[name] = {p: found[p][0] for p in PRODUCTS}
            print(json.dumps({name: results["phases"][name]}, indent=2), flush=True)

        phase("idle", lambda: False, args.think_ms)
        phase("idle_saturated", lambda: False, 0)
        started = time.monotonic()
        run_log = (home / "serving_bench_materialize.log").open("w")
        nice = ["nice", "-n", str(args.run_niceness)] if args.run_niceness else []
        run = subprocess.Popen([*nice, str(BIN / "dataops"), "materialize", "--partition-range", "all"], env=env, cwd=REPO,
                               stdout=run_log, stderr=subprocess.STDOUT, start_new_session=True)
        if args.run_niceness:
            lower_session_priority(run.pid, args.run_niceness)
        phase("materializing", lambda: run.poll() is None, args.think_ms)
        run.wait()
        run_log.close()
        results["phases"]["materializing"]["materialization"] = {
            "command": " ".join([*nice, "dataops materialize --partition-range all"]), "exit_code": run.returncode,
            "seconds": round(time.monotonic() - started, 1), "log": str(home / "serving_bench_materialize.log")}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    results["direct_baseline"] = direct_baseline(home, served, days, 500, args.seed)
    for entry in results["phases"].values():
        for product, figures in entry["products"].items():
            direct = results["direct_baseline"][product]["p95_ms"]
            figures["ratio_p95_to_direct"] = round(figures["client"]["p95_ms"] / direct, 2) if direct else None
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"serving_latency_nice_{args.run_niceness}" if args.run_niceness else "serving_latency"
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    plot(samples, results, RESULTS / f"{name}.png")
    print(f"wrote {RESULTS / name}.json and {name}.png")


def plot(samples: dict[str, dict[str, list[float]]], results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(PRODUCTS), figsize=(12, 4.5))
    for axis, product in zip(axes, PRODUCTS, strict=True):
        for phase_name, by_product in samples.items():
            ordered = sorted(by_product[product])
            if ordered:
                axis.plot(ordered, [100 * (n + 1) / len(ordered) for n in range(len(ordered))], label=phase_name)
        target = results["phases"]["idle"]["products"][product]["slo_p95_ms"]
        axis.axvline(target, color="red", linestyle="--", label=f"p95 SLO {target:g} ms")
        axis.axhline(95, color="grey", linewidth=0.5)
        axis.set_xscale("log")
        axis.set_title(f"{product}: /data, {results['clients']} clients")
        axis.set_xlabel("client latency (ms, log)")
        axis.set_ylabel("% of requests at or below")
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
