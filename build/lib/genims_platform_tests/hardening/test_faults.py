"""Fault injection with real servers: a run killed mid-load, a MariaDB killed mid-transaction,
a source database down, a transient outage within the retry budget, a daemon restarted in the
middle of a backfill, and an audit backlog that builds up while the ingest is not running.

Every fault is injected into a process or server the test started itself (a child run, a
private MariaDB or PostgreSQL, a private daemon); the machine's shared servers are never stopped
or reconfigured, and only the tests' own databases on them are written.
Expected rows are recomputed from the source rows with plain SQL, never taken from the platform.
docs/fault_injection.md has the fault x outcome matrix.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest

from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.demo import LAUNCH_BACKFILL, PROJECT_ROOT
from genims_platform.lib import mysql, pg
from genims_platform.lib.environment import build_resources
from genims_platform.lib.keys import target_key
from genims_platform.lib.resources import PostgresSource
from genims_platform.settings import load_settings
from genims_platform.sources.contract import apply_contract
from genims_platform.targets import init_target
from genims_platform_tests.hardening import servers, support

pytestmark = pytest.mark.integration

TABLE = "work_order_summary"
KEY = target_key("reporting", TABLE)


def _orders(settings, first_id: int, count: int, start: date, days: int) -> None:
    """`count` work orders planned over `days` days from `start` (ids from `first_id`),
    replacing whatever else was planned in those days."""
    end = start + timedelta(days=days)
    support.source_execute(
        settings,
        "manufacturing",
        "DELETE FROM work_orders WHERE planned_start >= %s AND planned_start < %s",
        (start, end),
    )
    support.source_execute(
        settings,
        "manufacturing",
        "INSERT INTO work_orders (work_order_id, work_order_number, product_id, line_id, "
        "factory_id, quantity_planned, quantity_completed, quantity_scrap, status, "
        "planned_start, planned_end) "
        "SELECT %(first)s + g, 'HD-' || (%(first)s + g), 500 + g %% 3, 10, 100, 10 + g %% 5, "
        "g %% 7, 0, 'COMPLETED', "
        "%(start)s::timestamptz + interval '8 hours' + (g %% %(days)s) * interval '1 day', "
        "%(start)s::timestamptz + interval '18 hours' + (g %% %(days)s) * interval '1 day' "
        "FROM generate_series(0, %(count)s - 1) AS g",
        {"first": first_id, "count": count, "start": f"{start} 00:00+00", "days": days},
    )


def _expected(settings, first: date, last: date) -> list[tuple]:
    """Per day of the window: orders, sum of planned and completed quantities and of the order
    ids, straight from the source rows."""
    with pg.connect(settings.pg_primary, settings.source_db("manufacturing")) as conn:
        found = conn.execute(
            "SELECT (planned_start AT TIME ZONE 'UTC')::date, count(*), sum(quantity_planned), "
            "sum(quantity_completed), sum(work_order_id) FROM work_orders "
            "WHERE planned_start >= %s AND planned_start < %s GROUP BY 1 ORDER BY 1",
            (first, last + timedelta(days=1)),
        ).fetchall()
    return [(d, *(int(v) for v in rest)) for d, *rest in found]


def _published(settings, first: date, last: date) -> list[tuple]:
    """The same fingerprint of what readers of the target table see now."""
    with mysql.connect(settings.target("reporting")) as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT date, COUNT(*), SUM(quantity_planned), SUM(quantity_completed), "
            f"SUM(work_order_id) FROM {TABLE} WHERE date BETWEEN %s AND %s "
            "GROUP BY date ORDER BY date",
            (first, last),
        )
        return [(d, *(int(v) for v in rest)) for d, *rest in cur.fetchall()]


def _bump(settings, first: date, last: date) -> None:
    """A new state of the source: every order of the window completed one more unit."""
    support.source_execute(
        settings,
        "manufacturing",
        "UPDATE work_orders SET quantity_completed = quantity_completed + 1 "
        "WHERE planned_start >= %s AND planned_start < %s",
        (first, last + timedelta(days=1)),
    )


# Kill a run mid-load -------------------------------------------------------------------------

KILL_FIRST, KILL_LAST = date(2025, 7, 1), date(2025, 7, 4)
# Enough rows that staging and publishing each take a noticeable fraction of a second.
KILL_ORDERS = 100_000
PHASES = {
    # The bulk load into the session's staging table.
    "staging": ("LOAD DATA", f"_stg_{TABLE}"),
    # The INSERT of the publishing transaction: after the window's DELETE, before the COMMIT.
    "publishing": (f"INSERT INTO `{TABLE}`",),
}


@pytest.fixture(scope="module")
def big_window(contracts, instance):
    """KILL_ORDERS work orders over four days, published once."""
    _orders(contracts, 50_000_000, KILL_ORDERS, KILL_FIRST, 4)
    result = support.run([TABLE], start=KILL_FIRST, end=KILL_LAST, instance=instance)
    assert result.success, support.failures(result)
    return contracts


def _sessions(settings, *markers: str) -> list[tuple]:
    """Sessions of the test's reporting database whose statement contains every marker."""
    t = settings.target("reporting")
    return servers.mysql_sessions(t.host, t.port, t.user, t.password, t.database, *markers)


def _session_alive(settings, session_id: int) -> bool:
    target = settings.target("reporting")
    with mysql.connect(target) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = %s", (session_id,))
        return cur.fetchone() is not None


@pytest.mark.slow
@pytest.mark.parametrize("phase", list(PHASES))
def test_a_run_killed_mid_load_publishes_nothing_and_a_rerun_is_exact(
    big_window, instance, tmp_path, phase
):
    settings = big_window
    before = _published(settings, KILL_FIRST, KILL_LAST)
    assert sum(day[1] for day in before) == KILL_ORDERS
    _bump(settings, KILL_FIRST, KILL_LAST)
    home = tmp_path / "dagster_home"
    home.mkdir()
    log = (tmp_path / "child.log").open("w")
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster",
            "asset",
            "materialize",
            "-m",
            "genims_platform_tests.hardening.location",
            "--select",
            "*",
            "--partition-range",
            f"{KILL_FIRST}...{KILL_LAST}",
        ],
        cwd=PROJECT_ROOT,
        env=servers.child_env(DAGSTER_HOME=str(home), GENIMS_HARDENING_TABLES=TABLE),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        caught = servers.wait_for(
            lambda: child.poll() is None and _sessions(settings, *PHASES[phase]),
            timeout_s=180,
            what=f"the child run to reach {phase}",
            interval_s=0.005,
        )
        os.killpg(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
        log.close()
    assert child.returncode == -signal.SIGKILL
    session = caught[0][0]
    # Readers see exactly the previous window, while the server still cleans up the dead
    # session and after it is gone.
    assert _published(settings, KILL_FIRST, KILL_LAST) == before
    servers.wait_for(
        lambda: not _session_alive(settings, session), 120, "the dead session to end", 0.2
    )
    assert _published(settings, KILL_FIRST, KILL_LAST) == before

    result = support.run([TABLE], start=KILL_FIRST, end=KILL_LAST, instance=instance)
    assert result.success, support.failures(result)
    after = _published(settings, KILL_FIRST, KILL_LAST)
    assert after == _expected(settings, KILL_FIRST, KILL_LAST)
    # Every order of the new state, none of the old one.
    assert [a[3] - b[3] for a, b in zip(after, before, strict=True)] == [b[1] for b in before]


# MySQL killed mid-transaction, and a transient outage -----------------------------------------


@pytest.fixture
def on_private_mariadb(mariadb, big_window, monkeypatch):
    """The reporting database on the private MariaDB: the environment points there (the
    resources read it at launch) and the database is migrated."""
    login = mariadb.target.login
    for name, value in {
        "MYSQL_REPORTING_HOST": "127.0.0.1",
        "MYSQL_REPORTING_PORT": str(mariadb.port),
        "MYSQL_REPORTING_USER": login.user,
        "MYSQL_REPORTING_PASSWORD": login.password,
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    init_target(settings, "reporting")
    return settings


def _in_thread(run) -> tuple[threading.Thread, list]:
    out: list = []
    thread = threading.Thread(target=lambda: out.append(run()), daemon=True)
    thread.start()
    return thread, out


@pytest.mark.slow
def test_mysql_killed_mid_publish_fails_clearly_and_a_rerun_after_restart_is_exact(
    on_private_mariadb, mariadb, instance, monkeypatch
):
    settings = on_private_mariadb
    monkeypatch.setenv("DATA_SYNC_RETRY_COUNT", "0")  # the failure itself is under test
    first = support.run([TABLE], start=KILL_FIRST, end=KILL_LAST, instance=instance)
    assert first.success, support.failures(first)
    before = _published(settings, KILL_FIRST, KILL_LAST)
    assert before == _expected(settings, KILL_FIRST, KILL_LAST)
    _bump(settings, KILL_FIRST, KILL_LAST)

    thread, out = _in_thread(
        lambda: support.run([TABLE], start=KILL_FIRST, end=KILL_LAST, instance=instance)
    )
    login = mariadb.target.login
    servers.wait_for(
        lambda: _sessions(settings, f"INSERT INTO `{TABLE}`"),
        timeout_s=120,
        what="the publishing transaction",
        interval_s=0.005,
    )
    mariadb.kill()
    thread.join(timeout=120)
    result = out[0]
    assert not result.success
    (message,) = support.failures(result).values()
    assert "publishing [2025-07-01, 2025-07-05) was interrupted" in message
    assert "Lost connection" in message or "gone away" in message
    assert login.password not in support.all_event_text(result)

    mariadb.start()  # crash recovery rolls the open transaction back
    assert _published(settings, KILL_FIRST, KILL_LAST) == before
    again = support.run([TABLE], start=KILL_FIRST, end=KILL_LAST, instance=instance)
    assert again.success, support.failures(again)
    assert _published(settings, KILL_FIRST, KILL_LAST) == _expected(settings, KILL_FIRST, KILL_LAST)


OUTAGE_DAY = date(2025, 7, 8)


def test_an_outage_shorter_than_the_retry_budget_ends_in_success(
    on_private_mariadb, mariadb, instance, monkeypatch
):
    settings = on_private_mariadb
    # Pauses of 0.5, 1.5, 3.5 and 7.5 s: a budget of 13 s (Dagster's exponential backoff).
    monkeypatch.setenv("DATA_SYNC_RETRY_COUNT", "4")
    monkeypatch.setenv("DATA_SYNC_RETRY_DELAY", "0.5")
    _orders(settings, 60_000_000, 300, OUTAGE_DAY, 1)
    mariadb.kill()
    earlier = {run.run_id for run in instance.get_runs()}
    began = time.monotonic()
    thread, out = _in_thread(lambda: support.run([TABLE], day=OUTAGE_DAY, instance=instance))

    def first_attempt_failed() -> bool:
        return any(
            instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_UP_FOR_RETRY)
            for run in instance.get_runs(limit=3)
            if run.run_id not in earlier
        )

    servers.wait_for(first_attempt_failed, 60, "the first failed attempt", interval_s=0.1)
    mariadb.start()
    thread.join(timeout=120)
    result = out[0]
    assert result.success, support.failures(result)
    retries = support.retried(result)[f"reporting__{TABLE}"]
    assert 1 <= retries <= 4
    assert time.monotonic() - began < 13 + 30
    assert _published(settings, OUTAGE_DAY, OUTAGE_DAY) == _expected(
        settings, OUTAGE_DAY, OUTAGE_DAY
    )
    warnings = [
        e.message
        for e in instance.all_logs(result.run_id)
        if "cannot connect to MySQL" in (e.message or "") and "Retry 1 of 4" in e.message
    ]
    assert warnings and mariadb.target.login.password not in warnings[0]


def test_a_persistent_outage_fails_clearly_once_the_retry_budget_is_spent(
    on_private_mariadb, mariadb, instance, monkeypatch
):
    monkeypatch.setenv("DATA_SYNC_RETRY_COUNT", "2")
    monkeypatch.setenv("DATA_SYNC_RETRY_DELAY", "0.1")
    mariadb.kill()
    try:
        result = support.run([TABLE], day=OUTAGE_DAY, instance=instance)
    finally:
        mariadb.start()
    assert not result.success
    step = f"reporting__{TABLE}"
    assert support.retried(result) == {step: 2}
    message = support.failures(result)[step]
    database = on_private_mariadb.target("reporting").database
    assert f"cannot connect to MySQL database '{database}' (reporting)" in message
    assert "check MYSQL_REPORTING_HOST and MYSQL_REPORTING_PORT" in message
    assert mariadb.target.login.password not in support.all_event_text(result)


# One source database down ---------------------------------------------------------------------

DOWN = "quality"
# One table per source database, driven by it; none of the others reads the one that goes down.
ONE_PER_SOURCE = {
    "master": "dim_factory",
    "operations": "machine_performance_daily",
    "manufacturing": "production_schedule_performance",
    "maintenance": "fact_maintenance_work_order",
    "quality": "quality_summary_daily",
    "erp": "purchase_price_variance",
    "financial": "profit_and_loss_daily",
    "wms": "stock_level_summary",
    "tms": "fact_shipment",
    "crm": "customer_complaint_tracking",
    "service": "warranty_claim_audit",
    "hr": "fact_labor_timesheet",
    "supplier": "contract_milestone_tracking",
}
DOWN_DAY = date(2025, 7, 10)


@pytest.fixture
def source_on_private_pg(contracts, private_pg, monkeypatch):
    """The quality database on the private PostgreSQL (the other twelve stay on the shared
    server), with one inspection of DOWN_DAY; returns the run's resources."""
    monkeypatch.setenv("PG_MASTER_PORT", str(private_pg.port))
    apply_contract(load_settings(), DOWN)  # same physical name, other server
    monkeypatch.delenv("PG_MASTER_PORT")
    with pg.connect(private_pg.target.login, contracts.source_db(DOWN)) as conn:
        conn.execute("TRUNCATE inspections CASCADE")
        conn.execute(
            "INSERT INTO inspections (inspection_number, inspection_type, factory_id, product_id, "
            "inspected_at, units_inspected, units_passed, units_failed, result, rework_cost) "
            "VALUES ('HD-I1', 'FINAL', 100, 500, %s, 40, 37, 3, 'FAIL', 12.50)",
            (f"{DOWN_DAY} 10:00+00",),
        )
    resources = build_resources(os.environ)
    resources[f"pg_{DOWN}"] = PostgresSource(
        logical=DOWN, database=contracts.source_db(DOWN), host="127.0.0.1", port=private_pg.port
    )
    return resources


def test_one_source_down_fails_alone_and_recovers_when_it_is_back(
    source_on_private_pg, private_pg, contracts, instance, monkeypatch
):
    resources = source_on_private_pg
    monkeypatch.setenv("DATA_SYNC_RETRY_COUNT", "1")
    monkeypatch.setenv("DATA_SYNC_RETRY_DELAY", "0.1")
    assert set(ONE_PER_SOURCE) == set(SOURCE_DATABASES)
    for logical, table in ONE_PER_SOURCE.items():
        assert support.SPECS[table].sources[0] == logical
        assert (DOWN in support.SPECS[table].sources) == (logical == DOWN)

    private_pg.kill()
    try:
        result = support.run(
            list(ONE_PER_SOURCE.values()), day=DOWN_DAY, resources=resources, instance=instance
        )
    finally:
        private_pg.start()
    assert not result.success
    down_table = ONE_PER_SOURCE[DOWN]
    assert support.materialized(result) == set(ONE_PER_SOURCE.values()) - {down_table}
    failed = support.failures(result)
    assert list(failed) == [f"reporting__{down_table}"]
    message = failed[f"reporting__{down_table}"]
    assert (
        f"cannot connect to PostgreSQL database '{contracts.source_db(DOWN)}' "
        f"(source '{DOWN}') at postgres@127.0.0.1:{private_pg.port}"
    ) in message
    assert "Connection refused" in message and "and that the server is running" in message
    assert support.retried(result) == {f"reporting__{down_table}": 1}

    again = support.run([down_table], day=DOWN_DAY, resources=resources, instance=instance)
    assert again.success, support.failures(again)
    published = support.rows(contracts, "reporting", down_table, "date = %s", (DOWN_DAY,))
    assert published[
        ["factory_id", "product_id", "inspection_count", "units_inspected", "units_failed"]
    ].values.tolist() == [[100, 500, 1, 40, 3]]
    assert float(published["defect_rate"].iloc[0]) == pytest.approx(3 / 40)
    assert float(published["rework_cost"].iloc[0]) == 12.5


# An audit backlog --------------------------------------------------------------------------

BACKLOG_EVENTS = 20_000
BACKLOG_BATCH = 4_000
BACKLOG_LIMIT = 10_000
BACKLOG_SOURCE = "crm"


def _audited_events(owner, logical: str) -> list[int]:
    """source_event_id of every audit row of `logical`'s current generation."""
    found = owner.query(
        "SELECT s.source_event_id FROM system_audit_log AS s JOIN audit_ingest_cursor AS c "
        "ON c.feed = s.source_db AND c.source_generation = s.source_generation "
        "WHERE s.source_db = %s",
        (logical,),
    )
    return [int(r[0]) for r in found]


@pytest.mark.slow
def test_an_audit_backlog_drains_exactly_once_and_its_health_check_follows_the_limit(
    initialized, instance
):
    from genims_platform.audit import definitions as audit_defs
    from genims_platform.audit.ingest import audit_database, ingest_source, source_resource

    settings = initialized
    owner = audit_database(settings, role=None)
    for logical in SOURCE_DATABASES:  # start from an empty backlog everywhere
        drained = ingest_source(source_resource(settings, logical), owner, logical)
        assert drained.error is None, drained.error
    with pg.connect(settings.pg_primary, settings.source_db(BACKLOG_SOURCE)) as conn:
        first_new = conn.execute("SELECT coalesce(max(event_id), 0) FROM genims.outbox").fetchone()
        # One statement, 20k captured rows: written while no ingest runs.
        conn.execute(
            "INSERT INTO module_settings (setting_key, setting_value, updated_by) "
            "SELECT 'hd-backlog-' || g || '-' || md5(random()::text), 'v', 'backlog test' "
            "FROM generate_series(1, %s) AS g",
            (BACKLOG_EVENTS,),
        )
        written = [
            r[0]
            for r in conn.execute(
                "SELECT event_id FROM genims.outbox WHERE event_id > %s", first_new
            ).fetchall()
        ]
    assert len(written) == BACKLOG_EVENTS

    target = settings.target("audit")
    resources = {**build_resources(os.environ), **audit_defs.audit_resources(os.environ)}
    resources[audit_defs.INGEST_RESOURCE] = audit_defs.AuditDatabase(
        database=target.database,
        host=target.host,
        port=target.port,
        user=target.user,
        password=target.password,
        batch_size=BACKLOG_BATCH,
        max_backlog=BACKLOG_LIMIT,
    )
    ingest = audit_defs.audit_definitions().get_assets_def(target_key("audit", "system_audit_log"))
    # As the sensor asks for it: the source with pending events; one batch per run.
    config = {"sources": [BACKLOG_SOURCE], "time_budget_s": 0.0}
    before = set(_audited_events(owner, BACKLOG_SOURCE))
    health = []
    deadline = time.monotonic() + 240
    while True:
        result = dg.materialize(
            [ingest],
            instance=instance,
            resources=resources,
            run_config={"ops": {"audit_outbox_ingest": {"config": config}}},
        )
        assert result.success
        (check,) = result.get_asset_check_evaluations()
        pending = check.metadata["backlog_total"].value
        audited = set(_audited_events(owner, BACKLOG_SOURCE)) - before
        # The platform's backlog is what is written and not yet audited, counted here apart.
        assert pending == BACKLOG_EVENTS - len(audited)
        health.append((pending, check.passed))
        if pending == 0 or time.monotonic() > deadline:
            break
    assert [passed for _, passed in health] == [p <= BACKLOG_LIMIT for p, _ in health]
    assert health[0][1] is False and health[-1] == (0, True)
    audited = _audited_events(owner, BACKLOG_SOURCE)
    assert len(audited) == len(set(audited))  # no event audited twice
    assert set(audited) - before == set(written)


# The daemon restarted in the middle of a backfill ------------------------------------------

BACKFILL_DAYS = [date(2025, 8, d) for d in (1, 2, 3, 5, 6, 7, 9, 10, 11)]  # three ranges
BACKFILL_GAPS = [date(2025, 8, 4), date(2025, 8, 8)]
BACKFILL_STATUS = """
query Status($id: String!) {
  partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill { status } }
  runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
    ... on Runs { results { runId status } }
  }
}
"""
MATERIALIZATIONS = """
query Materializations($path: [String!]!) {
  assetNodeOrError(assetKey: {path: $path}) {
    ... on AssetNode { assetMaterializations(limit: 200) { partition runId } }
  }
}
"""
DONE = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}


def _spawn(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group the test started (the process and its code servers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def dagster_home(contracts, tmp_path):
    """A Dagster instance on PostgreSQL storage configured by the project's dagster.yaml (runs
    queued one at a time here, so the backfill's runs happen one after another), and the
    environment of its processes."""
    name = f"{contracts.dagster_db}_backfill"
    pg.drop_database(contracts.dagster_pg, name)
    pg.create_database(contracts.dagster_pg, name)
    home = tmp_path / "dagster_home"
    home.mkdir()
    config, replaced = re.subn(
        r"max_concurrent_runs: \d+",
        "max_concurrent_runs: 1",
        (PROJECT_ROOT / "dagster.yaml").read_text(),
    )
    assert replaced == 1
    (home / "dagster.yaml").write_text(config)
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        "load_from:\n"
        "  - python_module:\n"
        "      module_name: genims_platform_tests.hardening.location\n"
        "      attribute: defs\n"
        "      location_name: hardening\n"
        f"      working_directory: {PROJECT_ROOT}\n"
    )
    server = contracts.dagster_pg
    env = servers.child_env(
        DAGSTER_HOME=str(home),
        DAGSTER_PG_HOST=server.host,
        DAGSTER_PG_PORT=str(server.port),
        DAGSTER_PG_USER=server.user,
        DAGSTER_PG_PASSWORD=server.password,
        DAGSTER_PG_DB=name,
        GENIMS_HARDENING_TABLES=TABLE,
    )
    yield env, workspace
    pg.drop_database(contracts.dagster_pg, name)


@pytest.mark.slow
def test_a_daemon_killed_mid_backfill_finishes_it_after_restart_exactly_once(
    contracts, dagster_home, tmp_path
):
    from genims_platform.demo import graphql, wait_for_webserver

    env, workspace = dagster_home
    first, last = BACKFILL_DAYS[0], BACKFILL_DAYS[-1]
    _orders(contracts, 70_000_000, 3_300, first, (last - first).days + 1)
    with mysql.connect(contracts.target("reporting")) as conn, conn.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE date BETWEEN %s AND %s", (first, last))
    bin_dir = Path(sys.executable).parent
    port = servers.free_port()
    webserver = _spawn(
        [
            str(bin_dir / "dagster-webserver"),
            "-w",
            str(workspace),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        env,
        tmp_path / "webserver.log",
    )
    daemon_argv = [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)]
    daemons = []
    try:
        wait_for_webserver(port, webserver, timeout_s=240)
        launched = graphql(
            port,
            LAUNCH_BACKFILL,
            {
                "params": {
                    "partitionNames": [d.isoformat() for d in BACKFILL_DAYS],
                    "assetSelection": [{"path": list(KEY.path)}],
                    "title": "fault test: daemon restart",
                }
            },
        )["launchPartitionBackfill"]
        assert launched["__typename"] == "LaunchBackfillSuccess", launched
        backfill = launched["backfillId"]

        def state():
            data = graphql(port, BACKFILL_STATUS, {"id": backfill})
            runs = data["runsOrError"]["results"]
            return data["partitionBackfillOrError"]["status"], [r["status"] for r in runs]

        daemons.append(_spawn(daemon_argv, env, tmp_path / "daemon-1.log"))
        status, runs = servers.wait_for(
            lambda: (lambda s: s if "SUCCESS" in s[1] else None)(state()),
            timeout_s=240,
            what="the first run of the backfill to succeed",
            interval_s=0.5,
        )
        os.kill(daemons[0].pid, signal.SIGKILL)  # the daemon only: in-flight runs carry on
        daemons[0].wait(timeout=30)
        assert status not in DONE and len(runs) == 3 and runs.count("SUCCESS") < 3, (status, runs)

        daemons.append(_spawn(daemon_argv, env, tmp_path / "daemon-2.log"))
        status, runs = servers.wait_for(
            lambda: (lambda s: s if s[0] in DONE else None)(state()),
            timeout_s=300,
            what="the backfill to finish after the restart",
            interval_s=1.0,
        )
        assert status in {"COMPLETED", "COMPLETED_SUCCESS"} and runs == ["SUCCESS"] * 3
        events = graphql(port, MATERIALIZATIONS, {"path": list(KEY.path)})["assetNodeOrError"]
        per_partition: dict[str, int] = {}
        for event in events["assetMaterializations"]:
            per_partition[event["partition"]] = per_partition.get(event["partition"], 0) + 1
        assert per_partition == {d.isoformat(): 1 for d in BACKFILL_DAYS}
    finally:
        for process in [*daemons, webserver]:
            _stop_group(process)
    expected = [day for day in _expected(contracts, first, last) if day[0] in BACKFILL_DAYS]
    assert len(expected) == len(BACKFILL_DAYS)
    assert _published(contracts, first, last) == expected
