"""`dagster dev` (webserver and daemon) over a copy of the session's materialized DATAOPS_HOME, and a headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sandbox import REPO_ROOT, VENV_BIN, copy_home, dataops_env

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


def wait_until_ready(proc: subprocess.Popen, ready, timeout: float, failure: str, poll: float = 0.5) -> None:
    """Until `ready()` holds; RuntimeError(`failure`) if the process exits or `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(failure)
        time.sleep(poll)


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


@dataclass(frozen=True)
class DagsterDev:
    url: str
    home: Path  # a copy of the session's materialized home: scheduled runs here change nothing else
    env: dict[str, str]


# Every product schedule ticks each minute once turned on (none is on until a test starts one).
SCHEDULE_CRON = "* * * * *"


# One webserver + daemon for the e2e tests, stopped by PID once the last of them is done: left running,
# its scheduled runs would take CPU from every later test.
@pytest.fixture(scope="package")
def dagster_dev(materialized_home: Path, tmp_path_factory) -> DagsterDev:
    home = copy_home(materialized_home, tmp_path_factory.mktemp("e2e") / "home")
    env = {**dataops_env(home), "DATAOPS_SCHEDULE_CRON": SCHEDULE_CRON}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (home / "dagster_dev.log").open("w")
    proc = subprocess.Popen(
        [str(VENV_BIN / "dagster"), "dev", "-w", str(REPO_ROOT / "workspace.yaml"), "-h", "127.0.0.1",
         "-p", str(port)],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_until_ready(proc, lambda: _workspace_loaded(url), 180, f"dagster dev did not load; see "
                         f"{home / 'dagster_dev.log'}")
        yield DagsterDev(url, home, env)
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    """SIGINT is dagster dev's clean shutdown (webserver, daemon, code servers); then its group by PID."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="package")
def webserver_url(dagster_dev: DagsterDev) -> str:
    return dagster_dev.url


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
