"""A Dagster webserver over the session's materialized DATAOPS_HOME, and a headless Chromium."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.sandbox import REPO_ROOT, VENV_BIN, dataops_env

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WORKSPACE_QUERY = '{"query": "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }"}'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _workspace_loaded(url: str) -> bool:
    request = urllib.request.Request(
        f"{url}/graphql", data=WORKSPACE_QUERY.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            entries = json.load(response)["data"]["workspaceOrError"]["locationEntries"]
    except OSError:
        return False
    return bool(entries) and all(e["loadStatus"] == "LOADED" for e in entries)


@pytest.fixture(scope="module")  # stopped as soon as the module's tests are done
def webserver_url(materialized_home: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (materialized_home / "webserver.log").open("w")
    proc = subprocess.Popen(
        [str(VENV_BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=dataops_env(materialized_home),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not _workspace_loaded(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"webserver did not load; see {materialized_home / 'webserver.log'}")
            time.sleep(1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
