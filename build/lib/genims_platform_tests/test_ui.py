"""The running platform as a user sees it: `dagster dev` (webserver + daemon) on dagster-postgres
instance storage, lineage from PostgreSQL tables to reporting tables through GraphQL, and the
lineage page rendered once in a real headless Chromium (screenshot kept in artifacts/)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from genims_platform.demo import PROJECT_ROOT, dagster_environment, graphql, wait_for_webserver
from genims_platform.lib import pg

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ARTIFACTS = PROJECT_ROOT / "artifacts" / "ui"
REPORTING = ["genims_reporting_db", "machine_performance_daily"]
SOURCE = ["genims_operations_db", "production_run_logs"]

ASSETS = """
{ assetNodes { assetKey { path } groupName kinds isObservable isMaterializable
    dependencyKeys { path } dependedByKeys { path }
    automationCondition { label }
    internalFreshnessPolicy { __typename ... on TimeWindowFreshnessPolicy { failWindowSeconds } }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } } }
  instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } } }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(settings, tmp_path_factory):
    """`dagster dev` on a free port, instance storage in PostgreSQL (a test database)."""
    pg.create_database(settings.dagster_pg, settings.dagster_db)
    env = dagster_environment(settings)
    env["DAGSTER_HOME"] = str(tmp_path_factory.mktemp("dagster_home"))
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", Path(env["DAGSTER_HOME"]) / "dagster.yaml")
    port = _free_port()
    log = open(tmp_path_factory.mktemp("logs") / "dagster_dev.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_webserver(port, process, timeout_s=240)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_lineage_checks_freshness_and_daemon_through_graphql(webserver):
    nodes = {tuple(n["assetKey"]["path"]): n for n in graphql(webserver, ASSETS)["assetNodes"]}
    table = nodes[tuple(REPORTING)]
    assert SOURCE in [d["path"] for d in table["dependencyKeys"]]
    assert REPORTING in [d["path"] for d in nodes[tuple(SOURCE)]["dependedByKeys"]]
    assert nodes[tuple(SOURCE)]["isObservable"] and table["isMaterializable"]
    assert table["groupName"] == "genims_reporting_db" and "mysql" in table["kinds"]
    assert table["automationCondition"]["label"] == "hourly refresh"
    assert table["internalFreshnessPolicy"]["failWindowSeconds"] == 3600
    checks = {c["name"]: c["blocking"] for c in table["assetChecksOrError"]["checks"]}
    assert checks["grain_unique"] is True and checks["has_rows"] is False

    deadline = time.monotonic() + 120
    while True:  # the daemon reports its heartbeats shortly after start
        statuses = graphql(webserver, ASSETS)["instance"]["daemonHealth"]["allDaemonStatuses"]
        unhealthy = [s["daemonType"] for s in statuses if s["required"] and not s["healthy"]]
        if not unhealthy or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert not unhealthy, unhealthy
    assert {"SENSOR", "ASSET", "FRESHNESS_DAEMON"} & {s["daemonType"] for s in statuses}


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() == 0 and Path("/etc/debian_version").exists():
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
            check=True,
            capture_output=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            timeout=900,
        )
        return shutil.which("chromium")
    pytest.fail("Debian's chromium is not installed and this user cannot install it (needs root)")


def test_lineage_page_renders_in_a_real_browser(webserver, tmp_path):
    browser = _chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{webserver}/assets/{'/'.join(REPORTING)}?view=lineage"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1600,1000",
        "--virtual-time-budget=20000",
    ]
    screenshot = ARTIFACTS / "lineage.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={screenshot}", url],
        check=True,
        capture_output=True,
        timeout=180,
    )
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", url],
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    ).stdout
    assert screenshot.stat().st_size > 20_000
    assert "machine_performance_daily" in dom
    assert "production_run_logs" in dom  # the upstream PostgreSQL table is drawn in the graph
