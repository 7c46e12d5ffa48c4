"""The serving layer over a materialized home (dbt, Dagster, DuckDB at scale 0.01), in process: keys and
clearance, masking and the PII grant, filters, paging, versions, ETags, rate limits, GraphQL, a publication
swapping `current` under load, the latency SLIs, and hostile input."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from dataops_assets.catalog.spec import Classification
from dataops_assets.governance.vault import grant
from dataops_assets.publish.records import current_files, current_publication
from dataops_assets.publish.snapshots import publish_snapshot
from dataops_assets.serving.app import create_app
from dataops_assets.serving.graphql_api import MAX_ALIASES, MAX_TOKENS
from dataops_assets.serving.keys import create_key
from dataops_assets.settings import load_settings
from dataops_assets.slo.latency import request_latencies

CLEARANCES = ("U", "C", "S", "TS")
GRANTED = "pii-reader"
PII_PRODUCT, PII_MODEL = "customer_360", "customer_360_v2"
DATA = "/api/v1/products/{}/data"


@pytest.fixture(scope="module")
def served(materialized_home, tmp_path_factory):
    """A copy of the materialized home (the request log and new versions change it), a key per clearance and
    one holding customer_360's PII grant, and the app over it."""
    home = tmp_path_factory.mktemp("serving") / "home"
    shutil.copytree(materialized_home, home, ignore=shutil.ignore_patterns("warehouse.duckdb*", "landing"))
    settings = load_settings({"DATAOPS_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
                              "DATAOPS_RATE_LIMIT": "100000", "DATAOPS_RATE_BURST": "100000"})
    keys = {c: create_key(settings.api_keys_path, f"reader-{c.lower()}", c)[1] for c in CLEARANCES}
    keys[GRANTED] = create_key(settings.api_keys_path, GRANTED, "C")[1]
    grant(home, PII_PRODUCT, GRANTED, by="test")
    app = create_app(settings, background=False)
    with TestClient(app) as client:
        app.state.services.insights.refresh()
        yield client, keys, settings


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def get(served, path, key="TS", **params):
    client, keys, _ = served
    return client.get(path, params=params, headers=bearer(keys[key]) if key else {})


def published_rows(settings, product, model, root=None, version=None) -> list[dict]:
    name = f"v={version}" if version else (settings.published_dir / product / model / "current").read_text().strip()
    files = sorted(((root or settings.published_dir) / product / model / name).rglob("*.parquet"))
    return duckdb.sql(f"select * from read_parquet({[str(f) for f in files]}, hive_partitioning = false)").df().to_dict("records")


def test_no_key_or_an_unknown_key_is_401(served):
    client, keys, _ = served
    for path in ("/api/v1/products", "/api/v1/products/sales_daily_metrics", DATA.format("sales_daily_metrics")):
        assert client.get(path).status_code == 401
        answer = client.get(path, headers=bearer(keys["TS"] + "0"))
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert client.post("/graphql", json={"query": "{ dataProducts { id } }"}).status_code == 401


def test_each_classification_against_each_clearance(served):
    client, keys, settings = served
    products = client.get("/api/v1/products", headers=bearer(keys["TS"])).json()["data"]
    levels = {p["id"]: Classification(p["classification"]) for p in products}
    assert set(levels.values()) == {Classification("U"), Classification("C"), Classification("S")}
    for clearance in CLEARANCES:
        allowed = {p for p, level in levels.items() if level.rank <= Classification(clearance).rank}
        listed = {p["id"] for p in get(served, "/api/v1/products", clearance).json()["data"]}
        assert listed == allowed, clearance
        for product in levels:
            expected = 200 if product in allowed else 403
            assert get(served, f"/api/v1/products/{product}", clearance).status_code == expected, (product, clearance)
            answer = get(served, DATA.format(product), clearance, limit=1)
            assert answer.status_code == expected, (product, clearance)
            if expected == 403:
                assert answer.json()["detail"] == (f"product {product} is classified {levels[product].value}; key "
                                                   f"{answer.request.headers['authorization'][11:19]} has clearance {clearance}")


def test_pii_is_masked_unless_the_key_holds_the_grant(served):
    _, _, settings = served
    masked = published_rows(settings, PII_PRODUCT, PII_MODEL)
    unmasked = published_rows(settings, PII_PRODUCT, PII_MODEL, root=settings.restricted_dir)
    by_id = {r["customer_id"]: r for r in unmasked}
    plain = get(served, DATA.format("customer-360"), "C", sort="customer_id", limit=50).json()
    granted = get(served, DATA.format("customer-360"), GRANTED, sort="customer_id", limit=50).json()
    assert plain["metadata"]["masked"] is True and granted["metadata"]["masked"] is False
    assert plain["metadata"]["model"] == granted["metadata"]["model"] == PII_MODEL  # the latest version by default
    masked_ids = {r["customer_id"]: r for r in masked}
    for seen, raw in zip(plain["data"], granted["data"], strict=True):
        assert seen["customer_id"] == raw["customer_id"]
        assert seen["email"] == masked_ids[seen["customer_id"]]["email"] and seen["email"].startswith("tok_")
        assert raw["email"] == by_id[raw["customer_id"]]["email"] and "@" in raw["email"]
        assert seen["first_name"] != raw["first_name"]
    # Filtering on a PII column finds the raw value only with the grant.
    email = granted["data"][0]["email"]
    assert get(served, DATA.format("customer_360"), "C", filters=f"email:{email}").json()["metadata"]["total"] == 0
    assert get(served, DATA.format("customer_360"), GRANTED, filters=f"email:{email}").json()["metadata"]["total"] == 1


def test_data_answers_in_seed_000s_shape_with_current_slis(served):
    answer = get(served, DATA.format("sales-daily-metrics"), filters="region:europe", sort="revenue:desc", limit=5)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"data", "metadata", "slos"}
    meta = body["metadata"]
    assert {"total", "page", "pageSize", "freshnessMinutes", "version", "publishedAt", "qualityScore"} <= set(meta)
    assert meta["pageSize"] == 5 and meta["page"] == 1 and len(body["data"]) == 5
    assert meta["qualityScore"] is not None and meta["freshnessMinutes"] >= 0
    assert {"availability", "latencyP95", "freshnessMinutes"} <= set(body["slos"])
    assert [r["revenue"] for r in body["data"]] == sorted((r["revenue"] for r in body["data"]), reverse=True)


def test_every_operator_and_sort_agree_with_the_published_file(served):
    _, _, settings = served
    rows = published_rows(settings, "sales_daily_metrics", "sales_daily_metrics")
    day = sorted({str(r["sales_date"])[:10] for r in rows})[len(rows) and 10]
    cases = {
        "region:europe": lambda r: r["region"] == "europe",
        "region:ne:europe": lambda r: r["region"] != "europe",
        f"sales_date:gt:{day}": lambda r: str(r["sales_date"])[:10] > day,
        f"sales_date:gte:{day}": lambda r: str(r["sales_date"])[:10] >= day,
        f"sales_date:lt:{day}": lambda r: str(r["sales_date"])[:10] < day,
        f"sales_date:lte:{day}": lambda r: str(r["sales_date"])[:10] <= day,
        "units_sold:in:1|2": lambda r: r["units_sold"] in (1, 2),
        "category:like:elec%": lambda r: r["category"].startswith("elec"),
    }
    for text, keep in cases.items():
        expected = sum(1 for r in rows if keep(r))
        assert 0 < expected < len(rows), text
        assert get(served, DATA.format("sales_daily_metrics"), filters=text, limit=1).json()["metadata"]["total"] == expected, text
    both = get(served, DATA.format("sales_daily_metrics"), filters=["region:europe", "units_sold:gte:3"],
               sort="sales_date:desc,revenue:asc", limit=10_000).json()
    expected = sorted((r for r in rows if r["region"] == "europe" and r["units_sold"] >= 3),
                      key=lambda r: (-r["sales_date"].toordinal(), r["revenue"]))
    assert [(x["sales_date"], x["revenue"]) for x in both["data"]] == [
        (str(r["sales_date"])[:10], float(r["revenue"])) for r in expected]
    # filters[] as in seed 000
    assert get(served, DATA.format("sales_daily_metrics"), **{"filters[]": "region:europe"}, limit=1).json()[
        "metadata"]["total"] == sum(1 for r in rows if r["region"] == "europe")


def test_pages_add_up_to_the_total(served):
    first = get(served, DATA.format("sales_daily_metrics"), filters="region:europe", sort="revenue:desc", limit=500).json()
    total = first["metadata"]["total"]
    seen = []
    for offset in range(0, total, 500):
        page = get(served, DATA.format("sales_daily_metrics"), filters="region:europe", sort="revenue:desc", limit=500,
                   offset=offset).json()
        assert page["metadata"]["page"] == offset // 500 + 1 and page["metadata"]["total"] == total
        seen += page["data"]
    assert len(seen) == total == len({json.dumps(r, sort_keys=True) for r in seen})
    assert get(served, DATA.format("sales_daily_metrics"), offset=total * 10).json()["data"] == []


def test_unknown_fields_operators_products_versions_and_models_are_named(served):
    cases = [
        (DATA.format("sales_daily_metrics"), {"filters": "nope:1"}, 400, "filters: unknown field 'nope'"),
        (DATA.format("sales_daily_metrics"), {"filters": "region:eq"}, 200, None),  # region equal to 'eq'
        (DATA.format("sales_daily_metrics"), {"filters": "units_sold:approx:3"}, 400,
         "filters: unknown operator 'approx' in 'units_sold:approx:3'"),
        (DATA.format("sales_daily_metrics"), {"filters": "units_sold:gt:many"}, 400,
         "filters: units_sold:gt: value 'many' is not a BIGINT"),
        (DATA.format("sales_daily_metrics"), {"sort": "revenue:up"}, 400, "sort: expected field:asc or field:desc"),
        (DATA.format("sales_daily_metrics"), {"limit": "10001"}, 400, "limit:"),
        (DATA.format("sales_daily_metrics"), {"limit": "ten"}, 400, "limit:"),
        (DATA.format("sales_daily_metrics"), {"version": "99"}, 404, "version: sales_daily_metrics/sales_daily_metrics"
                                                                     " has no published version 99; kept: 1"),
        (DATA.format("sales_daily_metrics"), {"model": "customer_360"}, 400,
         "model: sales_daily_metrics has no public model 'customer_360'; expected one of"),
        (DATA.format("no_such_product"), {}, 404, "product: unknown product 'no_such_product'"),
        ("/api/v1/products/no-such-product", {}, 404, "product: unknown product 'no-such-product'"),
    ]
    for path, params, status, message in cases:
        answer = get(served, path, **params)
        assert answer.status_code == status, (params, answer.text)
        if message:
            assert answer.json()["detail"].startswith(message), answer.text
            assert "\n" not in answer.json()["detail"]


def test_hostile_field_names_sort_keys_and_values_are_refused_or_harmless(served):
    _, _, settings = served
    before = sorted(str(p) for p in settings.published_dir.rglob("*"))
    for value in ["europe' or '1'='1", "x'; drop view t; --", "') union all select * from read_csv('/etc/passwd') --"]:
        assert get(served, DATA.format("sales_daily_metrics"), filters=f"region:{value}").json()["metadata"]["total"] == 0
    for field in ['region" = region or "1', "region; drop table x", "1=1 --"]:
        assert get(served, DATA.format("sales_daily_metrics"), filters=f"{field}:x").status_code == 400
    for key in ['revenue" desc, (select 1) --', "revenue; select 1", "read_csv('/etc/passwd'):asc"]:
        assert get(served, DATA.format("sales_daily_metrics"), sort=key).status_code == 400
    assert sorted(str(p) for p in settings.published_dir.rglob("*")) == before


def test_a_matching_etag_is_304_and_a_new_version_a_new_etag(served):
    _, _, settings = served
    path, params = DATA.format("product_performance"), {"sort": "product_id", "limit": 3}
    first = get(served, path, **params)
    etag = first.headers["etag"]
    client, keys, _ = served
    again = client.get(path, params=params, headers={**bearer(keys["TS"]), "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and again.content == b""
    other = client.get(path, params={**params, "limit": 4}, headers={**bearer(keys["TS"]), "If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    republish(settings, "product_performance", "product_performance", "limit 5")
    newer = client.get(path, params=params, headers={**bearer(keys["TS"]), "If-None-Match": etag})
    assert newer.status_code == 200 and newer.json()["metadata"]["version"] == first.json()["metadata"]["version"] + 1


def republish(settings, product, model, tail="") -> int:
    """A new version of a model from its current one (what a run's publication does, without the run)."""
    files = current_files(current_publication(settings.published_dir, product, model))
    with duckdb.connect() as con:
        return publish_snapshot(con, settings.published_dir, product, model,
                                f"select * from read_parquet({[str(f) for f in files]}) {tail}", run_id="test",
                                keep=settings.keep_versions).version


def test_version_reads_an_older_version_still_kept(served):
    _, _, settings = served
    old = get(served, DATA.format("revenue_analytics"), limit=1).json()["metadata"]
    new_version = republish(settings, "revenue_analytics", "revenue_monthly", "limit 3")
    current = get(served, DATA.format("revenue_analytics"), limit=1).json()["metadata"]
    assert (current["version"], current["total"]) == (new_version, 3)
    then = get(served, DATA.format("revenue_analytics"), limit=1, version=old["version"]).json()["metadata"]
    assert (then["version"], then["total"]) == (old["version"], old["total"])
    detail = get(served, "/api/v1/products/revenue_analytics").json()
    model = detail["models"][0]
    assert model["currentVersion"] == new_version
    assert [v["version"] for v in model["publishedVersions"]] == [old["version"], new_version]


def test_requests_during_publish_swaps_never_fail(served):
    client, keys, settings = served
    product, model = "sales_daily_metrics", "sales_daily_region_metrics"
    full = get(served, DATA.format(product), model=model, limit=1).json()["metadata"]["total"]
    totals = set()
    stop, errors = threading.Event(), []

    def publish_repeatedly():
        tails = ["limit 50", ""]
        n = 0
        while not stop.is_set() and n < 12:  # past `keep` versions: retention deletes what readers may hold
            republish(settings, product, model, tails[n % 2])
            n += 1

    publisher = threading.Thread(target=publish_repeatedly)
    publisher.start()
    statuses = []
    while publisher.is_alive():
        answer = client.get(DATA.format(product), params={"model": model, "limit": 2000, "sort": "revenue:desc"},
                            headers=bearer(keys["TS"]))
        statuses.append(answer.status_code)
        if answer.status_code == 200:
            totals.add(answer.json()["metadata"]["total"])
        else:
            errors.append(answer.text)
    stop.set()
    assert not errors and len(statuses) >= 5
    assert totals <= {full, 50}  # every answer one whole version, the old or the new
    assert len(list((settings.published_dir / product / model).glob("v=*"))) == settings.keep_versions


def test_the_rate_limit_answers_429_with_retry_after(materialized_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(materialized_home / "published", home / "published")
    settings = load_settings({"DATAOPS_HOME": str(home), "DATAOPS_RATE_LIMIT": "1", "DATAOPS_RATE_BURST": "2"})
    _, key = create_key(settings.api_keys_path, "busy", "C")
    with TestClient(create_app(settings, background=False)) as client:
        answers = [client.get(DATA.format("product_performance"), headers=bearer(key)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["retry-after"]) >= 1


def test_graphql_answers_seed_000s_shape_and_pages_with_cursors(served):
    client, keys, _ = served
    query = """query($id: ID!, $after: String) { dataProduct(id: $id) { name version qualityScore
        slos { availability latencyP95 }
        data(filters: ["region:europe"], sort: ["revenue:desc"], first: 400, after: $after) {
          edges { node cursor } pageInfo { hasNextPage endCursor } totalCount } } }"""
    nodes, after = [], None
    while True:
        answer = client.post("/graphql", json={"query": query, "variables": {"id": "sales-daily-metrics", "after": after}},
                             headers=bearer(keys["C"])).json()
        assert "errors" not in answer, answer
        product = answer["data"]["dataProduct"]
        assert product["name"] and product["version"] and product["qualityScore"] is not None
        data = product["data"]
        nodes += [e["node"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    rest = get(served, DATA.format("sales_daily_metrics"), filters="region:europe", sort="revenue:desc", limit=10_000).json()
    assert nodes == rest["data"] and len(nodes) == data["totalCount"] > 400


def test_graphql_applies_clearance_masking_and_a_depth_limit(served):
    client, keys, _ = served
    ask = lambda key, q: client.post("/graphql", json={"query": q}, headers=bearer(keys[key])).json()  # noqa: E731
    refused = ask("C", '{ dataProduct(id: "mission_logistics") { name } }')
    assert "classified S; key" in refused["errors"][0]["message"]
    assert {p["id"] for p in ask("U", "{ dataProducts { id } }")["data"]["dataProducts"]} == {"product_performance"}
    emails = '{ dataProduct(id: "customer_360") { data(first: 3, sort: ["customer_id"]) { masked edges { node } } } }'
    plain, granted = ask("C", emails)["data"]["dataProduct"]["data"], ask(GRANTED, emails)["data"]["dataProduct"]["data"]
    assert plain["masked"] and not granted["masked"]
    assert all(e["node"]["email"].startswith("tok_") for e in plain["edges"])
    assert all("@" in e["node"]["email"] for e in granted["edges"])
    many = "{ " + " ".join(f"a{n}: dataProducts {{ id }}" for n in range(MAX_ALIASES + 1)) + " }"
    assert "aliases found" in ask("TS", many)["errors"][0]["message"]
    long = "{ dataProducts { " + "id " * MAX_TOKENS + "} }"
    assert "token" in ask("TS", long)["errors"][0]["message"].lower()


def test_product_detail_carries_spec_slos_quality_lineage_schema_and_versions(served):
    detail = get(served, "/api/v1/products/revenue-analytics").json()
    assert detail["id"] == "revenue_analytics" and detail["owners"]["owner"]["email"]
    assert detail["status"] in ("draft", "dev", "staging", "production", "deprecated")
    assert detail["upstreamProducts"] and detail["slos"]["targets"]["latency_p95_ms"] > 0
    assert {s["slo"] for s in detail["slos"]["slis"]} >= {"availability", "freshness", "latency_p95"}
    assert detail["qualityScore"] is not None
    model = detail["models"][0]
    assert model["columns"] and all({"name", "type", "pii"} <= set(c) for c in model["columns"])
    assert model["publishedVersions"] and model["currentVersion"]
    found = get(served, "/api/v1/products", q="revenue monthly").json()["data"]
    assert [p["id"] for p in found] == ["revenue_analytics"]
    assert get(served, "/api/v1/products", q="no-such-word-anywhere").json()["metadata"]["total"] == 0


def test_requests_feed_latency_slis_and_never_log_a_key(served):
    client, keys, settings = served
    for _ in range(5):
        assert get(served, DATA.format("product_performance"), limit=10).status_code == 200
    services = client.app.state.services
    services.requests.flush()
    log = settings.serving_requests_path.read_text()
    assert not any(key in log for key in keys.values())
    records = [json.loads(line) for line in log.splitlines()]
    assert {"at", "route", "product", "status", "ms", "key_id"} <= set(records[-1])
    assert any(r["status"] == 401 and r["key_id"] is None for r in records)

    now = dt.datetime.now(dt.timezone.utc)
    latencies = request_latencies(settings.serving_requests_path, (now - dt.timedelta(hours=1), now + dt.timedelta(minutes=1)))
    assert len(latencies["product_performance"]) >= 5
    services.insights.refresh()
    slis = {s["slo"]: s for s in services.insights.product("product_performance")["slis"]}
    assert slis["latency_p95"]["observed"] is not None and slis["latency_p95"]["details"]["requests"] >= 5


def test_sql_views_answer_the_quicksight_query_and_hold_no_raw_pii(served, tmp_path):
    from dataops_assets.project import load_project
    from dataops_assets.serving.catalog import served_products
    from dataops_assets.serving.sql_views import open_views, views

    _, _, settings = served
    products = served_products(load_project(settings))
    con = open_views(settings.published_dir, products, str(tmp_path / "views.duckdb"))
    assert {"sales_daily_metrics", "mission_logistics", "equipment_status", PII_MODEL} <= set(views(con))
    rows = con.execute("""
        select sales_date, region, sum(revenue) as total_revenue, sum(unique_customers) as unique_customers
        from dataproducts.sales_daily_region_metrics
        where sales_date >= (select max(sales_date) from dataproducts.sales_daily_region_metrics) - interval 30 day
        group by sales_date, region order by sales_date desc""").fetchall()
    assert rows and all(r[2] is not None for r in rows)
    emails = [r[0] for r in con.execute(f"select email from dataproducts.{PII_MODEL}").fetchall()]
    assert emails and all(e.startswith("tok_") for e in emails)
    con.close()
    reopened = duckdb.connect(str(tmp_path / "views.duckdb"), read_only=True)
    assert reopened.execute("select count(*) from dataproducts.mission_logistics").fetchone()[0] > 0


def test_published_restricted_twins_are_owner_only(served):
    _, _, settings = served
    assert oct(Path(settings.restricted_dir).stat().st_mode & 0o777) == oct(0o700)
