"""What change capture costs a writer: an audited table against an identical unaudited one.

Both tables are copies of the contract's `master.customers` (same columns, indexes and the
`updated_at` trigger every contract table has), in one scratch database with capture installed;
only one of them carries the capture triggers. Measured in the same run:

(a) single-row INSERTs and UPDATEs, each its own autocommit transaction (what an application
    sees, commit included);
(b) the same statements inside one transaction (the trigger's own cost, without the commit);
(c) a bulk INSERT ... SELECT and a bulk UPDATE of every row (ratio audited / unaudited);
(d) the single-row statements of (b) run by a server-side loop (DO block), best of several runs:
    the trigger's cost without the client round trip, the steadiest figure on a busy machine.

Statements of the two tables are interleaved in blocks so that drift on a shared machine hits
both alike. Run: ``python -m benchmarks.capture_overhead [--rows 2000] [--bulk 100000]``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from genims_platform.lib import pg
from genims_platform.settings import Settings, load_settings
from genims_platform.sources import capture
from genims_platform.sources.contract import apply_contract

PLAIN = "bench_plain"
AUDITED = "bench_audited"
BLOCK = 100
# The SPEC's measurements of the two earlier designs, for comparison.
SPEC_ROW_TRIGGER = "row trigger with jsonb diff: +16-30 % single-row INSERT, 7.5x bulk UPDATE"
SPEC_STATEMENT_TRIGGER = "statement triggers with transition tables: 3.4x bulk UPDATE"

TABLE_DDL = """
CREATE TABLE {table} (LIKE public.customers INCLUDING ALL);
CREATE TRIGGER genims_touch_updated_at BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION public.genims_touch_updated_at();
"""
INSERT_ONE = (
    "INSERT INTO {table} (customer_id, customer_code, customer_name, customer_type, industry, "
    "country, region, city, credit_limit, email, phone) VALUES (%s, 'C-' || %s::text, "
    "'Acme Components GmbH', 'OEM', 'Automotive', 'DE', 'EMEA', 'Berlin', 10000, "
    "'purchasing@acme.example', '+49 30 1234567')"
)
UPDATE_ONE = "UPDATE {table} SET credit_limit = credit_limit + 1 WHERE customer_id = %s"
INSERT_BULK = (
    "INSERT INTO {table} (customer_id, customer_code, customer_name, customer_type, industry, "
    "country, region, city, credit_limit, email, phone) "
    "SELECT g, 'C-' || g, 'Acme Components ' || g, 'OEM', 'Automotive', 'DE', 'EMEA', "
    "'Berlin', 10000, 'purchasing@acme.example', '+49 30 1234567' "
    "FROM generate_series(%s::bigint, %s::bigint) AS g"
)
UPDATE_BULK = "UPDATE {table} SET credit_limit = credit_limit + 1"


def _q(template: str, table: str) -> sql.Composed:
    return sql.SQL(template).format(table=sql.Identifier(table))


def _stats(samples_us: list[float]) -> dict[str, float]:
    ordered = sorted(samples_us)
    return {
        "n": len(ordered),
        "mean_us": statistics.fmean(ordered),
        "p50_us": ordered[len(ordered) // 2],
        "p95_us": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
    }


def _compare(plain: list[float], audited: list[float]) -> dict[str, Any]:
    a, b = _stats(plain), _stats(audited)
    return {
        "plain": a,
        "audited": b,
        "added_us_p50": b["p50_us"] - a["p50_us"],
        "overhead_pct_mean": 100 * (b["mean_us"] / a["mean_us"] - 1),
        "overhead_pct_p50": 100 * (b["p50_us"] / a["p50_us"] - 1),
    }


def _timed(conn: psycopg.Connection, query: sql.Composed, params: tuple) -> float:
    start = time.perf_counter_ns()
    conn.execute(query, params, prepare=True)
    return (time.perf_counter_ns() - start) / 1000


def _single_rows(
    conn: psycopg.Connection, n: int, first_id: int, *, in_transaction: bool
) -> dict[str, Any]:
    """n single-row INSERTs then n single-row UPDATEs per table, interleaved in blocks."""
    samples: dict[tuple[str, str], list[float]] = {
        (kind, table): [] for kind in ("insert", "update") for table in (PLAIN, AUDITED)
    }
    for kind, template in (("insert", INSERT_ONE), ("update", UPDATE_ONE)):
        for block, start in enumerate(range(first_id, first_id + n, BLOCK)):
            ids = range(start, min(start + BLOCK, first_id + n))
            order = (PLAIN, AUDITED) if block % 2 == 0 else (AUDITED, PLAIN)
            for table in order:
                query = _q(template, table)
                if in_transaction:
                    with conn.transaction():
                        for i in ids:
                            args = (i, i) if kind == "insert" else (i,)
                            samples[kind, table].append(_timed(conn, query, args))
                else:
                    for i in ids:
                        args = (i, i) if kind == "insert" else (i,)
                        samples[kind, table].append(_timed(conn, query, args))
    return {
        kind: _compare(samples[kind, PLAIN], samples[kind, AUDITED])
        for kind in ("insert", "update")
    }


SERVER_LOOP = {
    "insert": "DO $$ BEGIN FOR i IN {first}..{last} LOOP "
    "INSERT INTO {table} (customer_id, customer_code, customer_name, customer_type, industry, "
    "country, region, city, credit_limit, email, phone) VALUES (i, 'C-' || i, "
    "'Acme Components GmbH', 'OEM', 'Automotive', 'DE', 'EMEA', 'Berlin', 10000, "
    "'purchasing@acme.example', '+49 30 1234567'); END LOOP; END $$",
    "update": "DO $$ BEGIN FOR i IN {first}..{last} LOOP "
    "UPDATE {table} SET credit_limit = credit_limit + 1 WHERE customer_id = i; END LOOP; END $$",
    "delete": "DO $$ BEGIN FOR i IN {first}..{last} LOOP "
    "DELETE FROM {table} WHERE customer_id = i; END LOOP; END $$",
}


def _server_loop(conn: psycopg.Connection, n: int, runs: int) -> dict[str, Any]:
    """µs per single-row statement inside one DO block; best of `runs`, tables alternating."""
    best: dict[tuple[str, str], float] = {}
    first, last = 20_000_000, 20_000_000 + n - 1
    for run in range(runs):
        for table in (PLAIN, AUDITED) if run % 2 == 0 else (AUDITED, PLAIN):
            for kind in ("insert", "update", "delete"):
                loop = SERVER_LOOP[kind].format(first=first, last=last, table=table)
                start = time.perf_counter()
                conn.execute(loop)
                per_row = (time.perf_counter() - start) / n * 1e6
                best[kind, table] = min(best.get((kind, table), per_row), per_row)
    return {
        kind: {
            "plain_us": best[kind, PLAIN],
            "audited_us": best[kind, AUDITED],
            "added_us": best[kind, AUDITED] - best[kind, PLAIN],
            "overhead_pct": 100 * (best[kind, AUDITED] / best[kind, PLAIN] - 1),
        }
        for kind in ("insert", "update", "delete")
    }


def _checkpoint(conn: psycopg.Connection) -> None:
    # Only evens out background writes between runs; the comparison holds without it.
    with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
        conn.execute("CHECKPOINT")


def _bulk(conn: psycopg.Connection, rows: int, repeats: int) -> dict[str, Any]:
    """Bulk INSERT ... SELECT and bulk UPDATE of `rows` rows, median of `repeats` runs."""
    times: dict[tuple[str, str], list[float]] = {
        (kind, table): [] for kind in ("insert_select", "update") for table in (PLAIN, AUDITED)
    }
    outbox_rows = 0
    for run in range(repeats):
        order = (PLAIN, AUDITED) if run % 2 == 0 else (AUDITED, PLAIN)
        for table in order:
            with conn.transaction():
                conn.execute("SET LOCAL genims.capture_maintenance = on")
                conn.execute(sql.SQL("TRUNCATE {}, genims.outbox").format(sql.Identifier(table)))
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
            _checkpoint(conn)
            start = time.perf_counter()
            conn.execute(_q(INSERT_BULK, table), (1, rows))
            times["insert_select", table].append(time.perf_counter() - start)
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
            _checkpoint(conn)
            mark = conn.execute("SELECT coalesce(max(event_id), 0) FROM genims.outbox").fetchone()
            start = time.perf_counter()
            conn.execute(_q(UPDATE_BULK, table))
            times["update", table].append(time.perf_counter() - start)
            if table == AUDITED:
                outbox_rows = conn.execute(
                    "SELECT count(*) FROM genims.outbox WHERE event_id > %s "
                    "AND operation = 'UPDATE'",
                    mark,
                ).fetchone()[0]
    result: dict[str, Any] = {
        "rows": rows,
        "repeats": repeats,
        "outbox_rows_of_update": outbox_rows,
    }
    for kind in ("insert_select", "update"):
        plain = statistics.median(times[kind, PLAIN])
        audited = statistics.median(times[kind, AUDITED])
        result[kind] = {"plain_s": plain, "audited_s": audited, "ratio": audited / plain}
    return result


def run(
    settings: Settings | None = None,
    *,
    n: int = 2000,
    bulk_rows: int = 100_000,
    repeats: int = 3,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Measure capture overhead in a scratch database (created and dropped here)."""
    settings = settings or load_settings()
    database = f"genims_bench_capture_{uuid.uuid4().hex[:8]}"
    local = dataclasses.replace(
        settings, source_names={**settings.source_names, "master": database}
    )
    pg.create_database(settings.pg_primary, database)
    try:
        apply_contract(local, "master")
        capture.install_capture(local, "master")
        with pg.connect(
            settings.pg_primary, database, autocommit=True, application_name="genims_bench"
        ) as conn:
            conn.execute("SET client_min_messages = warning")
            for table in (PLAIN, AUDITED):
                conn.execute(_q(TABLE_DDL, table))
            conn.execute("SELECT genims.enable_capture(%s::regclass)", (AUDITED,))
            log(f"(a) {n} single-row INSERTs and UPDATEs per table, autocommit")
            autocommit = _single_rows(conn, n, 1, in_transaction=False)
            log(f"(b) {n} single-row INSERTs and UPDATEs per table, inside transactions")
            in_tx = _single_rows(conn, n, 10_000_000, in_transaction=True)
            log(f"(d) {n} single-row statements per table in a server-side loop, best of 5")
            server = _server_loop(conn, n, 5)
            log(f"(c) bulk INSERT ... SELECT and UPDATE of {bulk_rows} rows, {repeats} runs")
            bulk = _bulk(conn, bulk_rows, repeats)
            version = conn.execute("SHOW server_version").fetchone()[0]
    finally:
        pg.drop_database(settings.pg_primary, database)
    return {
        "server_version": version,
        "single_row_autocommit": autocommit,
        "single_row_in_transaction": in_tx,
        "single_row_server_loop": server,
        "bulk": bulk,
    }


def markdown(result: dict[str, Any]) -> str:
    """The result as a small Markdown report."""
    lines = [
        f"Change capture overhead (PostgreSQL {result['server_version']})",
        "",
        "| statement | plain mean / p50 / p95 µs | audited mean / p50 / p95 µs "
        "| added p50 µs | overhead (mean, p50) |",
        "|---|---|---|---|---|",
    ]
    for label, key in (
        ("autocommit", "single_row_autocommit"),
        ("in one transaction", "single_row_in_transaction"),
    ):
        for kind in ("insert", "update"):
            c = result[key][kind]
            p, a = c["plain"], c["audited"]
            lines.append(
                f"| single-row {kind.upper()}, {label} "
                f"| {p['mean_us']:.0f} / {p['p50_us']:.0f} / {p['p95_us']:.0f} "
                f"| {a['mean_us']:.0f} / {a['p50_us']:.0f} / {a['p95_us']:.0f} "
                f"| {c['added_us_p50']:+.1f} "
                f"| {c['overhead_pct_mean']:+.0f} %, {c['overhead_pct_p50']:+.0f} % |"
            )
    lines += [
        "",
        "| single-row statement, server-side loop (best of 5) | plain µs | audited µs "
        "| added µs | overhead |",
        "|---|---|---|---|---|",
    ]
    for kind, c in result["single_row_server_loop"].items():
        lines.append(
            f"| {kind.upper()} | {c['plain_us']:.1f} | {c['audited_us']:.1f} "
            f"| {c['added_us']:+.1f} | {c['overhead_pct']:+.0f} % |"
        )
    bulk = result["bulk"]
    lines += [
        "",
        f"| bulk statement ({bulk['rows']:,} rows, median of {bulk['repeats']}) "
        "| plain s | audited s | ratio |",
        "|---|---|---|---|",
    ]
    for label, key in (("INSERT ... SELECT", "insert_select"), ("UPDATE", "update")):
        b = bulk[key]
        lines.append(f"| {label} | {b['plain_s']:.3f} | {b['audited_s']:.3f} | {b['ratio']:.2f}x |")
    lines += [
        "",
        f"Outbox rows written by the audited bulk UPDATE: {bulk['outbox_rows_of_update']:,}.",
        f"SPEC baselines: {SPEC_ROW_TRIGGER}; {SPEC_STATEMENT_TRIGGER}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="single-row statements per kind")
    parser.add_argument("--bulk", type=int, default=100_000, help="rows of the bulk statements")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the bulk statements")
    args = parser.parse_args()
    result = run(load_settings(), n=args.rows, bulk_rows=args.bulk, repeats=args.repeats, log=print)
    print(markdown(result))


if __name__ == "__main__":
    main()
