"""The audit pipeline: ingest throughput with chaining, full-chain verification speed, and
commit-to-MySQL latency with the sensor running under `dagster dev`.

Measured in the same run, on databases of their own (prefix ``gb_au`` by default):

(a) backlog drain, two mixes: single-row INSERTs of erp.module_settings (one audit row per
    event), and N captured events (half INSERTs, half UPDATEs of erp.sales_orders, so every
    event also yields a financial row and each UPDATE its changed-column rows) are ingested
    from the outbox into the chained audit tables by `ingest_source`, one MySQL transaction per
    batch, exactly as the sensor's runs do;
(b) baseline: the same outbox rows copied raw into one MySQL table (same drivers, batched
    INSERTs, no transformation, no hashing, no chain), so the ratio shows what the audit
    semantics cost;
(c) full verification of the three tables just written: recomputed in Python from the stored
    bytes (with and without the column-against-payload check), and inside MySQL with SHA2;
(d) latency: `dagster dev` (webserver + daemon, PostgreSQL instance storage) with
    audit_outbox_sensor RUNNING; single-row transactions are committed at a steady rate and
    the time from the client's commit to the row's append in MySQL is measured.

Run: ``python -m benchmarks.audit [--events 1000000] [--latency-seconds 120] [--rate 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES

PROJECT = Path(__file__).resolve().parents[1]
SEED_GOAL_S = 1.0  # mysql_implementation_approach.md: "LATENCY: <1 second to audit_db"


def _environ(prefix: str) -> dict[str, str]:
    env = {f"PG_DATABASE_{s.upper()}": f"{prefix}_{s}" for s in SOURCE_DATABASES}
    env.update({f"MYSQL_{t.upper()}_DB": f"{prefix}_{t}" for t in TARGET_DATABASES})
    env["DAGSTER_PG_DB"] = f"{prefix}_dagster"
    env.setdefault("MYSQL_AUDIT_INGEST_PASSWORD", f"bench-{uuid.uuid4().hex[:12]}")
    return env


def _fresh(settings) -> None:
    """A new audit database and a new erp source (empty outboxes, no cursors)."""
    from genims_platform.audit.security import apply_security
    from genims_platform.bootstrap import init_all
    from genims_platform.lib import mysql, pg
    from genims_platform.lib.resources import dispose_pools

    dispose_pools()
    with mysql.connect(settings.target("audit"), database=None, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.execute(
                f"DROP DATABASE IF EXISTS {mysql.quote_ident(settings.target('audit').database)}"
            )
    pg.drop_database(settings.pg_primary, settings.source_db("erp"))
    init_all(settings, targets=["audit"])  # the other MySQL databases play no part here
    apply_security(settings)


def _backlog(settings, events: int, mix: str = "orders") -> float:
    from genims_platform.lib import pg

    half = events // 2
    started = time.perf_counter()
    if mix == "settings":
        with pg.connect(settings.pg_primary, settings.source_db("erp")) as conn:
            conn.execute(
                "INSERT INTO module_settings (setting_key, setting_value, description, "
                "updated_by) SELECT 'bench-' || g, md5(g::text), 'benchmark setting', 'bench' "
                "FROM generate_series(1, %s) AS g",
                (events,),
            )
        return time.perf_counter() - started
    with pg.connect(settings.pg_primary, settings.source_db("erp")) as conn:
        conn.execute(
            "INSERT INTO sales_orders (order_number, customer_id, sales_rep_id, factory_id, "
            "order_date, requested_delivery_date, promised_delivery_date, total_amount, "
            "status, payment_status) "
            "SELECT 'BENCH-' || g, 1 + g %% 500, 1 + g %% 20, 1 + g %% 3, current_date, "
            "current_date + 7, current_date + 9, round((random() * 10000)::numeric, 2), "
            "'OPEN', 'UNPAID' FROM generate_series(1, %s) AS g",
            (half,),
        )
    with pg.connect(settings.pg_primary, settings.source_db("erp")) as conn:
        conn.execute(
            "UPDATE sales_orders SET payment_status = 'PAID', paid_date = current_date, "
            "status = 'INVOICED'"
        )
    return time.perf_counter() - started


def _drain(settings, db) -> dict[str, Any]:
    from genims_platform.audit.ingest import ingest_source, source_resource

    pg = source_resource(settings, "erp")
    started = time.perf_counter()
    events = batches = 0
    rows: dict[str, int] = {}
    while True:
        result = ingest_source(
            pg, db, "erp", batch_size=settings.audit.batch_size, time_budget_s=3600
        )
        if result.error:
            raise RuntimeError(result.error)
        events += result.events
        batches += result.batches
        for table, n in result.rows.items():
            rows[table] = rows.get(table, 0) + n
        if result.events == 0:
            break
    seconds = time.perf_counter() - started
    total_rows = sum(rows.values())
    return {
        "events": events,
        "batches": batches,
        "rows": rows,
        "seconds": round(seconds, 2),
        "events_per_s": round(events / seconds),
        "rows_per_s": round(total_rows / seconds),
    }


def _raw_copy(settings, db, events: int) -> dict[str, Any]:
    """Baseline: the same outbox rows into one unchained MySQL table, nothing else."""
    from genims_platform.lib import pg

    started = time.perf_counter()
    copied = 0
    with db.connect() as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw_outbox")
        cur.execute(
            "CREATE TABLE bench_raw_outbox (event_id BIGINT PRIMARY KEY, txid BIGINT, "
            "captured_at VARCHAR(40), table_name VARCHAR(128), operation VARCHAR(16), "
            "old_row MEDIUMTEXT, new_row MEDIUMTEXT) ENGINE=InnoDB"
        )
        with pg.connect(settings.pg_primary, settings.source_db("erp")) as pconn:
            with pconn.cursor(name="raw") as source:
                source.itersize = 5000
                source.execute(
                    "SELECT event_id, txid::text::bigint, captured_at::text, table_name, "
                    "operation, old_row::text, new_row::text FROM genims.outbox "
                    "ORDER BY txid, event_id"
                )
                while True:
                    chunk = source.fetchmany(5000)
                    if not chunk:
                        break
                    cur.executemany(
                        "INSERT INTO bench_raw_outbox VALUES (%s, %s, %s, %s, %s, %s, %s)", chunk
                    )
                    conn.commit()
                    copied += len(chunk)
        cur.execute("DROP TABLE bench_raw_outbox")
    seconds = time.perf_counter() - started
    return {"events": copied, "seconds": round(seconds, 2), "events_per_s": round(copied / seconds)}


def _verification(owner) -> dict[str, Any]:
    from genims_platform.audit import verify
    from genims_platform.audit.canonical import SQL_ROW_HASH

    tables = ["system_audit_log", "data_change_audit", "financial_transaction_audit"]
    out: dict[str, Any] = {}
    for columns in (False, True):
        with owner.connect() as conn:
            report = verify.verify_all(conn, tables=tables, columns=columns)
        assert report.status == "VALID", report.all_problems[:5]
        label = "python_with_column_check" if columns else "python_chain_only"
        out[label] = {
            "rows": report.rows,
            "seconds": round(report.seconds, 2),
            "rows_per_s": round(report.rows_per_second),
        }
    started = time.perf_counter()
    total = 0
    with owner.connect() as conn, conn.cursor() as cur:
        for table in tables:
            cur.execute(
                f"SELECT COUNT(*), SUM(hash_sha256 <> {SQL_ROW_HASH.format(a='')}) FROM {table}"
            )
            count, bad = cur.fetchone()
            assert not bad
            total += int(count)
    seconds = time.perf_counter() - started
    out["mysql_sha2_hashes_only"] = {
        "rows": total,
        "seconds": round(seconds, 2),
        "rows_per_s": round(total / seconds),
    }
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _latency(settings, env: dict[str, str], seconds: float, rate: float) -> dict[str, Any]:
    """Commit-to-MySQL latency with audit_outbox_sensor running under `dagster dev`."""
    from genims_platform.lib import pg

    pg.create_database(settings.pg_primary, settings.dagster_db)
    home = Path(tempfile.mkdtemp(prefix="genims_bench_dagster_"))
    shutil.copy(PROJECT / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    server = settings.pg_primary
    child_env = {
        **os.environ,
        **env,
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": server.host,
        "DAGSTER_PG_PORT": str(server.port),
        "DAGSTER_PG_USER": server.user,
        "DAGSTER_PG_PASSWORD": server.password,
        "DAGSTER_PG_DB": settings.dagster_db,
    }
    log = open(home / "dagster_dev.log", "wb")  # noqa: SIM115
    child = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-w",
            str(PROJECT / "workspace.yaml"),
            "-p",
            str(port),
        ],
        cwd=PROJECT,
        env=child_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise RuntimeError(f"dagster dev did not come up; see {home}") from None
                time.sleep(1)
        time.sleep(20)  # let the daemon start the sensors
        committed: dict[str, float] = {}
        interval = 1.0 / rate
        start = time.monotonic()
        with pg.connect(settings.pg_primary, settings.source_db("crm"), autocommit=True) as conn:
            n = 0
            while time.monotonic() - start < seconds:
                key = f"lat-{uuid.uuid4().hex[:12]}"
                conn.execute(
                    "INSERT INTO module_settings (setting_key, setting_value, updated_by) "
                    "VALUES (%s, 'v', 'bench')",
                    (key,),
                )
                committed[key] = time.time()
                n += 1
                time.sleep(max(0.0, start + n * interval - time.monotonic()))
        arrived: dict[str, float] = {}
        owner = _owner(settings)
        deadline = time.monotonic() + 120
        while len(arrived) < len(committed) and time.monotonic() < deadline:
            rows = owner.query(
                "SELECT entity_id, created_at FROM system_audit_log WHERE source_db = 'crm' "
                "AND table_name = 'module_settings' AND entity_id LIKE 'lat-%%'"
            )
            arrived = {k: at.replace(tzinfo=UTC).timestamp() for k, at in rows if k in committed}
            time.sleep(1)
        latencies = sorted(arrived[k] - committed[k] for k in arrived)
        runs = owner.scalar(
            "SELECT COUNT(*) FROM audit_trail_integrity WHERE verified_by = 'audit ingest' "
            "AND verification_timestamp >= %s",
            (datetime.fromtimestamp(min(committed.values()), UTC).replace(tzinfo=None),),
        )
    finally:
        os.killpg(child.pid, signal.SIGINT)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        log.close()
    return {
        "events": len(committed),
        "arrived": len(arrived),
        "p50_s": round(statistics.median(latencies), 2) if latencies else None,
        "p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else None,
        "max_s": round(latencies[-1], 2) if latencies else None,
        "ingest_batches": runs,
        "rate_per_s": rate,
        "seed_goal_s": SEED_GOAL_S,
    }


def _owner(settings):
    from genims_platform.audit.ingest import audit_database

    return audit_database(settings, role=None)


def run(
    *,
    events: int = 1_000_000,
    light_events: int = 200_000,
    latency_seconds: float = 120.0,
    rate: float = 2.0,
    prefix: str = "gb_au",
    latency: bool = True,
    keep: bool = False,
) -> dict[str, Any]:
    """Run the benchmark; returns the figures (see the module docstring). The benchmark
    databases are dropped at the end unless `keep`."""
    env = _environ(prefix)
    os.environ.update(env)
    from genims_platform.settings import load_settings

    settings = load_settings()
    try:
        return _measure(settings, env, events, light_events, latency_seconds, rate, latency)
    finally:
        if not keep:
            _drop(settings)


def _drop(settings) -> None:
    from genims_platform.lib import mysql, pg
    from genims_platform.lib.resources import dispose_pools

    dispose_pools()
    for logical in SOURCE_DATABASES:
        pg.drop_database(settings.pg_primary, settings.source_db(logical))
    pg.drop_database(settings.pg_primary, settings.dagster_db)
    for logical in TARGET_DATABASES:
        target = settings.target(logical)
        with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(target.database)}")


def _measure(
    settings,
    env: dict[str, str],
    events: int,
    light_events: int,
    latency_seconds: float,
    rate: float,
    latency: bool,
) -> dict[str, Any]:
    from genims_platform.audit.ingest import audit_database

    ingest = audit_database(settings, role="ingest")
    if events == 0:  # latency only
        _fresh(settings)
        return {"latency": _latency(settings, env, latency_seconds, rate)}
    _fresh(settings)
    light_backlog_s = _backlog(settings, light_events, "settings")
    light = _drain(settings, ingest)
    light_raw = _raw_copy(settings, _owner(settings), light_events)
    light["baseline_raw_copy_events_per_s"] = light_raw["events_per_s"]
    light["backlog_creation_seconds"] = round(light_backlog_s, 1)
    _fresh(settings)
    backlog_s = _backlog(settings, events)
    drained = _drain(settings, ingest)
    raw = _raw_copy(settings, _owner(settings), events)
    result: dict[str, Any] = {
        "light_mix_single_row_inserts": light,
        "events": events,
        "backlog_creation_seconds": round(backlog_s, 1),
        "ingest": drained,
        "baseline_raw_copy": raw,
        "ingest_vs_raw_copy": round(drained["events_per_s"] / raw["events_per_s"], 2),
        "backlog_1m_drain_seconds_projected": round(1_000_000 / drained["events_per_s"], 1),
        "verification": _verification(_owner(settings)),
    }
    if latency:
        result["latency"] = _latency(settings, env, latency_seconds, rate)
    return result


def markdown(result: dict[str, Any]) -> str:
    if "ingest" not in result:
        return json.dumps(result.get("latency"), indent=2)
    ingest, raw, ver = result["ingest"], result["baseline_raw_copy"], result["verification"]
    light = result["light_mix_single_row_inserts"]
    lines = [
        f"light mix (single-row INSERTs, 1 audit row each): {light['events_per_s']:,} events/s "
        f"({light['events']:,} events in {light['seconds']} s; raw copy "
        f"{light['baseline_raw_copy_events_per_s']:,} events/s)",
        f"events: {result['events']:,} (backlog created in {result['backlog_creation_seconds']} s)",
        f"ingest with chaining: {ingest['events_per_s']:,} events/s, {ingest['rows_per_s']:,} "
        f"audit rows/s, drained in {ingest['seconds']} s ({ingest['batches']} batches); "
        f"rows {ingest['rows']}",
        f"raw copy baseline: {raw['events_per_s']:,} events/s "
        f"(ingest/raw = {result['ingest_vs_raw_copy']})",
        f"1M backlog drains in ~{result['backlog_1m_drain_seconds_projected']} s",
    ]
    for name, v in ver.items():
        lines.append(f"verification {name}: {v['rows_per_s']:,} rows/s ({v['rows']:,} rows)")
    if "latency" in result:
        lat = result["latency"]
        lines.append(
            f"commit-to-MySQL under dagster dev: p50 {lat['p50_s']} s, p95 {lat['p95_s']} s, "
            f"max {lat['max_s']} s ({lat['arrived']}/{lat['events']} events at "
            f"{lat['rate_per_s']}/s; seeds' goal < {lat['seed_goal_s']} s)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--light-events", type=int, default=200_000)
    parser.add_argument("--latency-seconds", type=float, default=120.0)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--prefix", default="gb_au")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark databases.")
    args = parser.parse_args()
    result = run(
        events=args.events,
        light_events=args.light_events,
        latency_seconds=args.latency_seconds,
        rate=args.rate,
        prefix=args.prefix,
        latency=not args.no_latency,
        keep=args.keep,
    )
    print(markdown(result))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
