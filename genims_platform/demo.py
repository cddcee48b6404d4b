"""`genims demo`: everything a new user needs to see the platform working, in one command.

Starts (or reuses) the local servers, creates and migrates the 16 databases, seeds a plant when
the sources are empty, then serves the Dagster UI with the daemon (`dagster dev`), launches a
backfill of the reporting history and prints its progress, and keeps a live simulator writing so
the hourly refresh and the audit sensor have work. Ctrl-C stops what the command started.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from genims_platform.lib import pg
from genims_platform.lib.errors import GenimsError
from genims_platform.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DemoOptions:
    scale: float = 0.1
    days: int = 120
    seed: int = 42
    port: int = 3000
    live_rate: float = 2.0
    backfill: bool = True


def dagster_environment(settings: Settings) -> dict[str, str]:
    """Environment for dagster processes: instance home and the instance storage settings."""
    home = settings.state_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    link = home / "dagster.yaml"
    source = PROJECT_ROOT / "dagster.yaml"
    if not link.exists() or link.resolve() != source.resolve():
        link.unlink(missing_ok=True)
        link.symlink_to(source)
    env = dict(os.environ)
    env.update(
        {
            "DAGSTER_HOME": str(home),
            "DAGSTER_PG_HOST": settings.dagster_pg.host,
            "DAGSTER_PG_PORT": str(settings.dagster_pg.port),
            "DAGSTER_PG_USER": settings.dagster_pg.user,
            "DAGSTER_PG_PASSWORD": settings.dagster_pg.password,
            "DAGSTER_PG_DB": settings.dagster_db,
        }
    )
    return env


def ensure_env_file(log: Callable[[str], None]) -> None:
    """Create .env from .env.example on first use, so every variable has a visible value."""
    env_file = Path.cwd() / ".env"
    example = PROJECT_ROOT / ".env.example"
    if not env_file.exists() and example.exists():
        shutil.copyfile(example, env_file)
        log(f"created {env_file} from .env.example (edit it to point at other servers)")


def sources_are_empty(settings: Settings) -> bool:
    with pg.connect(settings.pg_primary, settings.source_db("erp"), logical="erp") as conn:
        return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM sales_orders)").fetchone()[0]


def graphql(port: int, query: str, variables: dict | None = None, timeout: float = 30) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        payload = json.loads(response.read())
    if payload.get("errors"):
        raise GenimsError(f"Dagster GraphQL error: {payload['errors'][0].get('message')}")
    return payload["data"]


def wait_for_webserver(port: int, process: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise GenimsError(f"dagster dev exited with code {process.returncode}; see its output")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise GenimsError(f"the Dagster webserver did not answer on port {port} in {timeout_s:.0f} s")


LAUNCH_BACKFILL = """
mutation Launch($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on InvalidStepError { invalidStepKey }
    ... on UnauthorizedError { message }
  }
}
"""

BACKFILL_STATUS = """
query Status($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    ... on PartitionBackfill { status numPartitions
      assetBackfillData { assetBackfillStatuses {
        ... on AssetPartitionsStatusCounts { assetKey { path } numPartitionsTargeted
          numPartitionsInProgress numPartitionsMaterialized numPartitionsFailed } } } }
  }
}
"""


def launch_reporting_backfill(port: int, first: date, last: date) -> str:
    """One backfill over the seeded history of every reporting table."""
    from genims_platform.lib.keys import target_key
    from genims_platform.reporting.tables import REPORTING_TABLES

    by_assets = []
    for spec in REPORTING_TABLES:
        if spec.partitioning == "monthly":
            start, end = first.replace(day=1), last.replace(day=1)
        else:
            start, end = first, last
        by_assets.append(
            {
                "assetKey": {"path": list(target_key(spec.target, spec.name).path)},
                "partitions": {"range": {"start": start.isoformat(), "end": end.isoformat()}},
            }
        )
    return _launch(port, by_assets)


def _launch(port: int, by_assets: list[dict]) -> str:
    result = graphql(
        port,
        LAUNCH_BACKFILL,
        {"params": {"partitionsByAssets": by_assets, "title": "reporting history (genims demo)"}},
    )["launchPartitionBackfill"]
    if result["__typename"] != "LaunchBackfillSuccess":
        raise GenimsError(f"could not launch the backfill: {result}")
    return result["backfillId"]


def backfill_progress(port: int, backfill_id: str) -> tuple[str, int, int, int]:
    """(status, materialised, failed, targeted) partitions of a backfill, over all assets."""
    data = graphql(port, BACKFILL_STATUS, {"id": backfill_id})["partitionBackfillOrError"]
    statuses = (data.get("assetBackfillData") or {}).get("assetBackfillStatuses") or []
    done = sum(s.get("numPartitionsMaterialized", 0) for s in statuses)
    failed = sum(s.get("numPartitionsFailed", 0) for s in statuses)
    targeted = sum(s.get("numPartitionsTargeted", 0) for s in statuses)
    return data["status"], done, failed, targeted


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run_demo(settings: Settings, options: DemoOptions, log: Callable[[str], None]) -> int:
    from genims_platform import stack
    from genims_platform.bootstrap import init_all
    from genims_platform.simulator import seed

    # Ctrl-C stops everything even when the shell started us with SIGINT ignored (a background
    # job), and so does SIGTERM (`kill`, a container or service manager stopping us).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)

    log("1/5 local servers")
    log(stack.format_status(stack.up(settings, log=log)))
    log("2/5 databases and change capture")
    for line in init_all(settings).lines():
        log("    " + line)
    end = datetime.now(UTC).date()
    start = end - timedelta(days=options.days - 1)
    if sources_are_empty(settings):
        log(f"3/5 seeding a plant: scale {options.scale}, {options.days} days ending {end}")
        counts = seed(
            settings, scale=options.scale, days=options.days, seed=options.seed, end_date=end
        )
        log(f"    {sum(counts.values()):,} source rows in {len(counts)} tables")
    else:
        log("3/5 source databases already hold data; not seeding (use `genims seed --replace`)")
    env = dagster_environment(settings)
    pg.create_database(settings.dagster_pg, settings.dagster_db)
    log(f"4/5 Dagster UI and daemon on http://127.0.0.1:{options.port}")
    dagster = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(options.port),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,
    )
    simulator = None
    try:
        wait_for_webserver(options.port, dagster)
        if options.backfill:
            backfill_id = launch_reporting_backfill(options.port, start, end)
            log(
                f"5/5 backfill {backfill_id} of the reporting history {start}..{end}: "
                f"http://127.0.0.1:{options.port}/runs/b/{backfill_id}"
            )
        if options.live_rate > 0:
            simulator = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "genims_platform.cli",
                    "simulate",
                    "--live",
                    "--rate",
                    str(options.live_rate),
                ],
                cwd=Path.cwd(),
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            log(f"    live simulator writing about {options.live_rate:g} business events/s")
        last = None
        while dagster.poll() is None:
            if options.backfill:
                try:
                    status, done, failed, targeted = backfill_progress(options.port, backfill_id)
                    line = f"    backfill {status}: {done}/{targeted} partitions, {failed} failed"
                    if line != last:
                        log(line)
                        last = line
                except (GenimsError, urllib.error.URLError, TimeoutError):
                    pass
            time.sleep(10)
        return dagster.returncode or 0
    except KeyboardInterrupt:
        log("stopping")
        return 0
    finally:
        for process in (simulator, dagster):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
