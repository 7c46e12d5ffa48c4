"""`dataops serve` as a user starts it (uvicorn on 127.0.0.1, a free port), over a copy of the session's
published snapshots: a key created with `dataops api-key create` reads data over real HTTP, and the
interactive docs at /docs render in a browser (no CDN) and document the data endpoint."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.e2e.conftest import free_port, wait_until_ready
from tests.sandbox import REPO_ROOT, VENV_BIN, dataops_env

DATA_PATH = "/api/v1/products/{product_id}/data"


@pytest.fixture(scope="module")
def server(materialized_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("serve") / "home"
    for folder in ("published", "restricted", "dagster"):
        shutil.copytree(materialized_home / folder, home / folder)
    env = dataops_env(home)
    created = subprocess.run([str(VENV_BIN / "dataops"), "api-key", "create", "docs-reader", "--clearance", "C",
                              "--json"], env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    key = json.loads(created.stdout)["key"]
    port = free_port()
    log = (home / "serve.log").open("w")
    proc = subprocess.Popen([str(VENV_BIN / "dataops"), "serve", "--port", str(port)], env=env, cwd=REPO_ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(proc, lambda: _healthy(url), 120, f"dataops serve did not start; see {home / 'serve.log'}")
        yield url, key, home
    finally:
        proc.send_signal(signal.SIGTERM)  # uvicorn's graceful shutdown; by PID, never by name
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _get(url: str, key: str | None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_the_server_answers_with_the_key_and_refuses_without(server):
    url, key, home = server
    status, body = _get(f"{url}/api/v1/products/sales-daily-metrics/data?filters=region:europe&limit=3", key)
    assert status == 200 and len(body["data"]) == 3 and body["metadata"]["total"] > 3
    assert _get(f"{url}/api/v1/products/sales-daily-metrics/data", None)[0] == 401
    assert _get(f"{url}/api/v1/products/mission-logistics/data", key)[0] == 403
    assert key not in (home / "serve.log").read_text()


def test_docs_render_and_document_the_data_endpoint(server, browser):
    url, _, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(f"{url}/docs", wait_until="load")
    page.wait_for_selector(".opblock", timeout=30_000)
    text = page.inner_text("body")
    assert DATA_PATH in text and "/api/v1/products/{product_id}" in text and "/graphql" in text
    page.screenshot(path=str(REPO_ROOT / "test-artifacts" / "serving-docs.png"), full_page=False)
    page.close()
