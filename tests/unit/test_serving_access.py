"""The serving layer's parts that need no published data: reads parsed from parameters, keys, rate limits."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest

from dataops_assets.catalog.spec import Classification
from dataops_assets.serving.keys import KeyRing, KeyStoreError, create_key, digest, load_keys, parse_keys, revoke_key
from dataops_assets.serving.query import MAX_LIMIT, Filter, QueryError, SortKey, parse_read, where_clause
from dataops_assets.serving.rate_limit import RateLimiter
from dataops_assets.slo.latency import request_latencies

COLUMNS = {"sales_date": "DATE", "region": "VARCHAR", "revenue": "DECIMAL(18,2)", "units": "BIGINT"}


def test_filters_take_field_value_and_every_operator():
    read = parse_read(["region:west", "revenue:gte:10.5", "units:in:1|2|3", "region:like:we%", "sales_date:lt:2026-11-01",
                       "region:ne:east", "units:gt:0", "units:lte:9", "revenue:lt:100", "region:eq:a:b"], [], None,
                      None, COLUMNS)
    assert read.filters == (
        Filter("region", "eq", ("west",)), Filter("revenue", "gte", ("10.5",)), Filter("units", "in", ("1", "2", "3")),
        Filter("region", "like", ("we%",)), Filter("sales_date", "lt", ("2026-11-01",)), Filter("region", "ne", ("east",)),
        Filter("units", "gt", ("0",)), Filter("units", "lte", ("9",)), Filter("revenue", "lt", ("100",)),
        Filter("region", "eq", ("a:b",)))
    assert (read.limit, read.offset) == (100, 0)


def test_a_value_with_colons_is_one_value_unless_a_word_comes_first():
    assert parse_read(["region:10:30", "sales_date:2026-11-01T10:00"], [], None, None, COLUMNS).filters == (
        Filter("region", "eq", ("10:30",)), Filter("sales_date", "eq", ("2026-11-01T10:00",)))
    with pytest.raises(QueryError, match=r"filters: unknown operator 'between' in 'units:between:1:2'; expected one "
                                         r"of eq, ne, gt, gte, lt, lte, in, like"):
        parse_read(["units:between:1:2"], [], None, None, COLUMNS)


def test_values_are_bound_parameters_never_sql_text():
    hostile = "x' or '1'='1'; drop table t; --"
    read = parse_read([f"region:{hostile}", f"units:in:1|{hostile}"], [], None, None, COLUMNS)
    sql, params = where_clause(read, COLUMNS)
    assert hostile not in sql
    assert params == [hostile, "1", hostile]
    assert sql == 'where "region" = cast(? as VARCHAR) and "units" in (cast(? as BIGINT), cast(? as BIGINT))'


@pytest.mark.parametrize("filters, sort, limit, offset, message", [
    (["nope:1"], [], None, None, "filters: unknown field 'nope'; expected one of sales_date, region"),
    (['region" or 1=1 --:x'], [], None, None, "filters: unknown field 'region\" or 1=1 --'"),
    (["region"], [], None, None, "filters: expected field:value or field:op:value, got 'region'"),
    ([], ["revenue:sideways"], None, None, "sort: expected field:asc or field:desc, got 'revenue:sideways'"),
    ([], ["revenue desc; drop table x"], None, None, "sort: unknown field 'revenue desc; drop table x'"),
    ([], ["revenue:asc,revenue:desc"], None, None, "sort: expected each field once"),
    ([], [], 0, None, "limit: expected a whole number from 1 to 10000, got 0"),
    ([], [], MAX_LIMIT + 1, None, "limit: expected a whole number from 1 to 10000, got 10001"),
    ([], [], None, -1, "offset: expected a whole number >= 0, got -1"),
    ([f"units:eq:{n}" for n in range(21)], [], None, None, "filters: expected at most 20, got 21"),
])
def test_bad_reads_name_the_parameter(filters, sort, limit, offset, message):
    with pytest.raises(QueryError) as error:
        parse_read(filters, sort, limit, offset, COLUMNS)
    assert str(error.value).startswith(message)


def test_sort_takes_several_keys_in_one_parameter_or_several():
    expected = (SortKey("sales_date", True), SortKey("region", False), SortKey("units", False))
    assert parse_read([], ["sales_date:desc,region:asc", "units"], None, None, COLUMNS).sort == expected


@pytest.mark.parametrize("product, clearance, allowed", [
    (p, c, list(Classification).index(c) >= list(Classification).index(p))
    for p in Classification for c in Classification])
def test_a_key_reads_only_up_to_its_clearance(tmp_path, product, clearance, allowed):
    entry, _ = create_key(tmp_path / "keys.json", "analyst", clearance.value)
    assert entry.may_read(product) is allowed


def test_keys_are_stored_hashed_owner_only_and_found_by_the_key(tmp_path):
    path = tmp_path / "keys.json"
    entry, key = create_key(path, "team-a", "C")
    assert key.startswith(f"dpk_{entry.id}_") and key not in path.read_text()
    assert json.loads(path.read_text())["keys"][0]["sha256"] == digest(key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ring = KeyRing(path, None)
    assert ring.find(key) == entry and ring.find(key + "x") is None
    revoke_key(path, entry.id)
    assert ring.find(key) is None  # a revoked key is refused without a restart


def test_keys_from_the_environment_replace_the_file(tmp_path):
    other, _ = create_key(tmp_path / "file.json", "file-user", "TS")
    entry, key = create_key(tmp_path / "env.json", "env-user", "U")
    ring = KeyRing(tmp_path / "file.json", (tmp_path / "env.json").read_text())
    assert ring.find(key) == entry
    assert load_keys(tmp_path / "file.json", (tmp_path / "env.json").read_text()) == {entry.id: entry}
    assert other.id not in load_keys(tmp_path / "file.json", (tmp_path / "env.json").read_text())


@pytest.mark.parametrize("text, message", [
    ("{", "STORE: not valid JSON"),
    ("[]", 'STORE: expected an object with a "keys" list, got list'),
    ('{"keys": [{"id": "zz", "sha256": "' + "0" * 64 + '"}]}', "STORE: keys[0].id: expected ^[0-9a-f]{8}$, got 'zz'"),
    ('{"keys": [{"id": "0123abcd", "sha256": "' + "0" * 64 + '", "principal": "a", "clearance": "X"}]}',
     "STORE: keys[0].clearance: expected one of U, C, S, TS, got 'X'"),
    ('{"keys": [{"id": "0123abcd", "sha256": "' + "0" * 64 + '", "principal": "A B", "clearance": "U"}]}',
     "STORE: keys[0].principal: expected lower-case letters"),
])
def test_a_malformed_store_is_one_line_naming_the_field(text, message):
    with pytest.raises(KeyStoreError) as error:
        parse_keys(text, "STORE")
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


@pytest.mark.parametrize("principal, clearance, message", [
    ("Not Valid", "C", "principal: expected lower-case letters"),
    ("analyst", "SECRET", "clearance: expected one of U, C, S, TS, got 'SECRET'"),
])
def test_creating_a_key_refuses_bad_arguments(tmp_path, principal, clearance, message):
    with pytest.raises(KeyStoreError, match=message.replace("(", r"\(")):
        create_key(tmp_path / "keys.json", principal, clearance)
    assert not (tmp_path / "keys.json").exists()


def test_the_rate_limit_refuses_past_the_burst_and_says_when_to_retry():
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert [limiter.take("k"), limiter.take("k")] == [0.0, 0.0]
    assert limiter.take("k") == pytest.approx(1.0)  # one a second
    assert limiter.take("other") == 0.0  # per key
    now[0] = 1.0
    assert limiter.take("k") == 0.0


def test_latency_slis_count_answered_product_requests_only(tmp_path):
    log = tmp_path / "requests.jsonl"
    at = "2026-11-27T10:00:00+00:00"
    lines = [{"at": at, "route": "/d", "product": "p", "status": 200, "ms": 5},
             {"at": at, "route": "/d", "product": "p", "status": 304, "ms": 1},
             {"at": at, "route": "/d", "product": "p", "status": 403, "ms": 0.2},
             {"at": at, "route": "/d", "product": "p", "status": 500, "ms": 900},
             {"at": at, "route": "/products", "product": None, "status": 200, "ms": 3}]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines) + '{"at": "half a line')
    window = (dt.datetime(2026, 11, 27, tzinfo=dt.timezone.utc), dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc))
    assert request_latencies(log, window) == {"p": [5.0, 1.0]}
