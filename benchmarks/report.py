"""The daily compliance report at a realistic day's volume: how long gathering the figures and
rendering the PDF take, against baselines measured in the same run.

On an audit database of its own (``<prefix>_audit``, default prefix ``gb_rp``), the benchmark
appends through the hash chain a day of N audit rows (default 100,000, spread over the tables
and feeds the pipeline writes: captured changes of the 13 sources, logins, security events, the
platform's runs and checks, verifications, SLA and GDPR versions, backups, retention) plus
`--history-days` earlier days of the same volume, then measures (median of `--repeat` runs):

(a) gather: `compliance_data.gather` for the day, in one read snapshot;
(b) baseline for (a): one bare ``COUNT(*)`` of the day's rows (by created_at) per chained
    table: the least any report of the day's audit volume has to read;
(c) render: `FpdfRenderer.render` of the gathered data (after one warm-up render);
(d) baseline for (c): a one-page fpdf2 document with a title and the per-feed table only;
(e) the whole job as the asset runs it minus the upload: gather + render (the first render of
    a process, which also loads fpdf2, is reported on its own).

Every chained table has an index on created_at (migration 0080), so (a) and (b) read the day's
range only, whatever the history retained; `--history-days` shows it.

Target: the whole report in under 10 s for a 100,000-row day.

Run: ``python -m benchmarks.report [--rows 100000] [--history-days 2] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES

DAY = date(2026, 1, 15)
TARGET_S = 10.0
MIX = (
    # table, share of the day, feeds (stream parts)
    ("system_audit_log", 0.55, tuple(SOURCE_DATABASES)),
    ("data_change_audit", 0.15, ("erp", "crm", "hr", "financial", "supplier")),
    ("financial_transaction_audit", 0.05, ("erp", "financial")),
    ("user_activity_log", 0.09, ("master",)),
    ("security_event_log", 0.01, ("master",)),
    ("integration_audit_log", 0.06, ("dagster",)),
    ("validation_rule_execution", 0.05, ("dagster",)),
    ("batch_job_execution_log", 0.01, ("dagster",)),
    ("audit_trail_integrity", 0.02, tuple(SOURCE_DATABASES)),
    ("sla_compliance_tracking", 0.006, (None,)),
    ("gdpr_data_request_log", 0.002, (None,)),
    ("document_retention_log", 0.0001, ("backup",)),
    ("data_retention_schedule", 0.0003, ("audit",)),
)
CHUNK = 20_000


def _environ(prefix: str) -> dict[str, str]:
    env = {f"MYSQL_{t.upper()}_DB": f"{prefix}_{t}" for t in TARGET_DATABASES}
    return {**os.environ, **env}


def _fresh(settings) -> None:
    from genims_platform.bootstrap import init_all
    from genims_platform.lib import mysql
    from genims_platform.lib.resources import dispose_pools

    dispose_pools()
    target = settings.target("audit")
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(target.database)}")
    init_all(settings, sources=[], targets=["audit"])


class _Rows:
    """Rows of one table with neutral values for every NOT NULL column a generator leaves out
    (fresh numbers, also in text columns, so unique keys never collide)."""

    def __init__(self, cur, table: str) -> None:
        from genims_platform.audit.verify import stored_columns

        self.table = table
        self.columns = stored_columns(cur, table)
        cur.execute(
            "SELECT COLUMN_NAME, IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH FROM "
            "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
            (table,),
        )
        self.meta = {r[0]: (r[1] == "YES", r[2], r[3]) for r in cur.fetchall()}

    def row(self, numbers, when: datetime, given: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for column in self.columns:
            if column in given:
                out[column] = given[column]
                continue
            nullable, kind, length = self.meta[column]
            if nullable:
                out[column] = None
            elif kind in {"tinyint", "smallint", "mediumint", "int", "bigint"}:
                out[column] = next(numbers)
            elif kind == "decimal":
                out[column] = Decimal("1.00")
            elif kind in {"datetime", "timestamp"}:
                out[column] = when
            elif kind == "date":
                out[column] = when.date()
            else:
                out[column] = f"b{next(numbers)}"[: length or 16]
        return out


def _specifics(
    table: str, index: int, unique: int, when: datetime, rng: random.Random
) -> dict[str, Any]:
    """The columns the report reads, with realistic values."""
    if table == "security_event_log":
        kind = rng.choice(
            ("AUTH_FAILURE",) * 8 + ("SUSPICIOUS_ACTIVITY", "SOURCE_IDENTITY_CHANGED")
        )
        severity = {"AUTH_FAILURE": "MEDIUM", "SUSPICIOUS_ACTIVITY": "HIGH"}.get(kind, "CRITICAL")
        return {"event_type": kind, "severity": severity, "event_timestamp": when}
    if table == "validation_rule_execution":
        failed = index % 50 == 0
        return {
            "validation_result": "FAILED" if failed else "PASSED",
            "severity": "WARN" if index % 100 == 0 else "ERROR",
            "rule_name": f"check_{index % 40}",
            "entity_type": f"genims_reporting_db/table_{index % 35}",
            "failure_reason": "rows outside the expected range" if failed else None,
            "execution_timestamp": when,
        }
    if table == "audit_trail_integrity":
        return {
            "verification_type": "INCREMENTAL",
            "verification_status": "VALID",
            "verification_timestamp": when,
            "verified_by": "audit ingest",
        }
    if table == "sla_compliance_tracking":
        return {
            "sla_id": f"TICKET:{unique}:RESPONSE",
            "record_version": 1,
            "sla_type": "RESPONSE",
            "compliance_status": rng.choice(("MET", "MET", "MET", "BREACHED", "PENDING")),
        }
    if table == "gdpr_data_request_log":
        return {
            "request_id": unique,
            "record_version": 1,
            "request_type": "ACCESS",
            "status": "PENDING",
            "request_date": when.date(),
            "received_at": when,
            "legal_deadline_at": when + timedelta(days=30),
            "completion_date": None,
        }
    if table == "document_retention_log":
        action = ("CREATED", "VERIFIED", "VERIFY_FAILED", "DELETED")[index % 4]
        return {
            "document_type": "BACKUP",
            "action": action,
            "retention_date": when,
            "document_id": f"genims-backups/bench/{unique}.sql.gz",
            "archived_location": f"genims-backups/bench/{unique}.sql.gz",
        }
    if table == "data_retention_schedule":
        return {
            "deletion_status": ("PURGED", "HELD", "ARCHIVED")[index % 3],
            "rows_affected": 500,
            "table_name": "system_audit_log",
        }
    return {}


def _load(settings, rows_per_day: int, days: list[date], seed: int = 7) -> dict[str, Any]:
    from genims_platform.audit.chain import (
        ChainedRow,
        append_chained,
        begin_append,
        lock_heads,
        save_heads,
    )
    from genims_platform.audit.ingest import audit_database

    owner = audit_database(settings, role=None)
    rng = random.Random(seed)
    numbers = itertools.count(1)
    started = time.perf_counter()
    appended = 0
    with owner.connect() as conn:
        load_data = owner.local_infile_allowed()
        with conn.cursor() as cur:
            tables = {t: _Rows(cur, t) for t, _, _ in MIX}
        conn.commit()
        for day in days:
            start = datetime.combine(day, datetime.min.time())
            for table, share, feeds in MIX:
                count = max(1, int(rows_per_day * share))
                rows = []
                for index in range(count):
                    when = start + timedelta(seconds=rng.uniform(0, 86399.999))
                    feed = feeds[index % len(feeds)]
                    stream = f"{table}/{feed}" if feed else table
                    given = {
                        **_specifics(table, index, next(numbers), when, rng),
                        "created_at": when,
                    }
                    if "source_db" in tables[table].columns and feed in SOURCE_DATABASES:
                        given["source_db"] = feed
                    rows.append(ChainedRow(stream, tables[table].row(numbers, when, given)))
                for first in range(0, len(rows), CHUNK):
                    chunk = rows[first : first + CHUNK]
                    begin_append(conn)
                    with conn.cursor() as cur:
                        heads = lock_heads(cur, {r.stream_id: table for r in chunk})
                        append_chained(
                            cur, table, tables[table].columns, chunk, heads, load_data=load_data
                        )
                        save_heads(cur, heads.values(), datetime.now(UTC))
                    conn.commit()
                    appended += len(chunk)
    return {"rows": appended, "seconds": round(time.perf_counter() - started, 1)}


def _median(samples: list[float]) -> float:
    return round(statistics.median(samples), 3)


def _baseline_count(owner, day: date) -> float:
    from genims_platform.lib.mysql import quote_ident
    from genims_platform.operations.compliance_data import day_bounds

    start, end = day_bounds(day)
    started = time.perf_counter()
    with owner.connect() as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
            "AND COLUMN_NAME = 'canonical_payload'"
        )
        for (table,) in cur.fetchall():
            cur.execute(
                f"SELECT COUNT(*) FROM {quote_ident(table)} "
                "WHERE created_at >= %s AND created_at < %s",
                (start, end),
            )
            cur.fetchall()
        conn.commit()
    return time.perf_counter() - started


def _baseline_render(data) -> float:
    from fpdf import FPDF

    started = time.perf_counter()
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, f"Compliance report {data.day}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(col_widths=(60, 40)) as table:
        table.row(["Feed", "Rows"])
        for feed, rows in data.volume.by_feed:
            table.row([feed, f"{rows:,}"])
    bytes(pdf.output())
    return time.perf_counter() - started


def run(
    *, rows: int = 100_000, history_days: int = 2, repeat: int = 3, prefix: str = "gb_rp"
) -> dict[str, Any]:
    """Run the benchmark; returns the figures (see the module docstring)."""
    from genims_platform.audit.ingest import audit_database
    from genims_platform.operations.compliance_data import gather
    from genims_platform.operations.compliance_pdf import FpdfRenderer
    from genims_platform.settings import load_settings

    settings = load_settings(_environ(prefix))
    _fresh(settings)
    days = [DAY - timedelta(days=n) for n in range(history_days, 0, -1)] + [DAY]
    loaded = _load(settings, rows, days)
    owner = audit_database(settings, role=None)
    renderer = FpdfRenderer()
    gathers, counts, renders, minimal, totals = [], [], [], [], []
    data = rendered = None
    cold_render = None
    for _ in range(repeat):
        counts.append(_baseline_count(owner, DAY))
        started = time.perf_counter()
        with owner.connect() as conn:
            data = gather(conn, DAY, database=owner.database, now=datetime.now(UTC))
        gathers.append(time.perf_counter() - started)
        if cold_render is None:
            # The first render of a process also loads fpdf2's modules and fonts.
            cold_render = renderer.render(data).seconds
            _baseline_render(data)
        rendered = renderer.render(data)
        renders.append(rendered.seconds)
        totals.append(gathers[-1] + rendered.seconds)
        minimal.append(_baseline_render(data))
    assert data is not None and rendered is not None
    result = {
        "day_rows": data.volume.total,
        "table_rows_total": loaded["rows"],
        "load": loaded,
        "pages": rendered.pages,
        "pdf_bytes": len(rendered.pdf),
        "gather_s": _median(gathers),
        "baseline_day_count_s": _median(counts),
        "render_s": _median(renders),
        "baseline_minimal_pdf_s": _median(minimal),
        "first_render_in_process_s": round(cold_render, 3),
        "total_s": _median(totals),
        "target_s": TARGET_S,
    }
    result["gather_vs_day_count"] = round(result["gather_s"] / result["baseline_day_count_s"], 2)
    result["render_vs_minimal_pdf"] = round(
        result["render_s"] / result["baseline_minimal_pdf_s"], 2
    )
    result["render_share_of_total"] = round(result["render_s"] / result["total_s"], 2)
    result["meets_target"] = result["total_s"] <= TARGET_S
    return result


def report_figures(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures `make bench` reports (benchmarks/run.py), with baselines and the target."""
    rows = f"{result['day_rows']:,}-row day"
    return [
        {
            "name": "report total (gather + render)",
            "value": result["total_s"],
            "unit": "s",
            "target": result["target_s"],
            "source": "SPEC anchors: daily PDF in < 10 s",
            "note": rows,
        },
        {
            "name": "gather",
            "value": result["gather_s"],
            "unit": "s",
            "baseline": result["baseline_day_count_s"],
            "baseline_name": "bare day count per chained table",
            "note": rows,
        },
        {
            "name": "render",
            "value": result["render_s"],
            "unit": "s",
            "baseline": result["baseline_minimal_pdf_s"],
            "baseline_name": "one-page minimal fpdf2 PDF",
            "note": f"{result['pages']} pages",
        },
        {
            "name": "first render of a process",
            "value": result["first_render_in_process_s"],
            "unit": "s",
            "note": "includes loading fpdf2",
        },
    ]


def markdown(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"day: {result['day_rows']:,} audit rows appended ({result['table_rows_total']:,} rows "
            f"in the tables, loaded in {result['load']['seconds']} s)",
            f"gather: {result['gather_s']} s (bare day count per chained table: "
            f"{result['baseline_day_count_s']} s; ratio {result['gather_vs_day_count']})",
            f"render: {result['render_s']} s for {result['pages']} pages, "
            f"{result['pdf_bytes']:,} bytes (one-page minimal PDF: "
            f"{result['baseline_minimal_pdf_s']} s; ratio {result['render_vs_minimal_pdf']})",
            f"first render of a process (loads fpdf2): {result['first_render_in_process_s']} s",
            f"total: {result['total_s']} s (render share {result['render_share_of_total']}); "
            f"target <= {result['target_s']} s: {'met' if result['meets_target'] else 'MISSED'}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="audit rows of the day")
    parser.add_argument("--history-days", type=int, default=2, help="earlier days, same volume")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--prefix", default="gb_rp")
    args = parser.parse_args()
    result = run(
        rows=args.rows, history_days=args.history_days, repeat=args.repeat, prefix=args.prefix
    )
    print(markdown(result))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
