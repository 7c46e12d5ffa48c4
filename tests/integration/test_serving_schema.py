"""Schemathesis over the serving app's OpenAPI document: requests generated from every operation's schema,
valid and invalid, each sent with a key that may read everything, one below most products, an unknown key
and none. No input may make the server fail (5xx)."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from dataops_assets.serving.app import create_app
from dataops_assets.serving.keys import create_key
from dataops_assets.settings import load_settings

EXAMPLES = 25


@pytest.fixture(scope="module")
def api(materialized_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("schema") / "home"
    shutil.copytree(materialized_home / "published", home / "published")
    shutil.copytree(materialized_home / "restricted", home / "restricted")
    app_settings = load_settings({"DATAOPS_HOME": str(home), "DATAOPS_RATE_LIMIT": "1000000",
                                  "DATAOPS_RATE_BURST": "1000000"})
    keys = [create_key(app_settings.api_keys_path, f"fuzz-{c.lower()}", c)[1] for c in ("TS", "U")]
    headers = [{"Authorization": f"Bearer {k}"} for k in keys]
    headers += [{"Authorization": "Bearer dpk_00000000_not-a-key"}, {"Authorization": "Basic abc"}, {}]
    return create_app(app_settings, background=False), headers


def test_no_request_gets_a_server_error(api):
    """Each operation, positive and negative generation (schemathesis' pytest plugin predates pytest 9, so
    its strategies are driven by hypothesis here)."""
    app, header_sets = api
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/products", "/api/v1/products/{product_id}",
                                             "/api/v1/products/{product_id}/data", "/graphql"}
    products = [None, *app.state.services.products, "sales-daily-metrics"]  # None: generated ids too
    runs = [(op, mode, {"product_id": p} if p else None) for op in operations for mode in GenerationMode
            for p in (products if "{product_id}" in op.path else [None])]
    for operation, mode, path_parameters in runs:
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def requests_answer_without_a_server_error(case):
            given_headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
            for headers in header_sets:
                case.headers = {**given_headers, **headers}
                case.validate_response(case.call(), checks=[not_a_server_error])

        requests_answer_without_a_server_error()
