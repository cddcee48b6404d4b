"""The daily compliance report against the real MySQL-compatible server and Azurite.

Known rows are appended through the hash chain (as the audit database's owner) to a database of
the module's own; the report of the day is gathered through the read-only compliance account,
rendered, read back with pypdf, and every figure is compared with a count the test makes itself
with its own SQL (plus the values the hand-made rows imply)."""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import secrets
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import dagster as dg
import pytest
from click.testing import CliRunner
from dagster._core.definitions.freshness import FreshnessState, FreshnessStateChange
from dagster._core.test_utils import freeze_time
from pypdf import PdfReader

from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib import mysql
from genims_platform_tests.conftest import PREFIX

DAY = date(2025, 3, 14)
EMPTY_DAY = date(2025, 1, 2)
BEFORE, AFTER = DAY - timedelta(days=1), DAY + timedelta(days=1)
GENERATED = datetime(2025, 3, 15, 3, 0, tzinfo=UTC)
DATABASE = f"{PREFIX}_report_audit"
_numbers = itertools.count(1)


def at(day: date, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second, micro))


@pytest.fixture(scope="module")
def environ(settings) -> dict[str, str]:
    """The process environment with an audit database of this module's own and audit
    accounts named after the test prefix (accounts are server-wide: no other test's password
    is ever changed)."""
    import os

    env = {**os.environ, "MYSQL_AUDIT_DB": DATABASE}
    for role in ("INGEST", "COMPLIANCE", "RETENTION"):
        env[f"MYSQL_AUDIT_{role}_USER"] = f"{PREFIX}_rp_{role.lower()}"
        env[f"MYSQL_AUDIT_{role}_PASSWORD"] = f"rp-{secrets.token_hex(8)}"
    return env


@pytest.fixture(scope="module")
def report_settings_db(environ):
    """A freshly migrated audit database of the module's own, with its accounts."""
    from genims_platform.bootstrap import init_all
    from genims_platform.lib.resources import dispose_pools
    from genims_platform.settings import load_settings

    settings = load_settings(environ)
    target = settings.target("audit")
    dispose_pools()
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(DATABASE)}")
    init_all(settings, sources=[], targets=["audit"])
    yield settings
    dispose_pools()


@pytest.fixture(scope="module")
def owner(report_settings_db):
    from genims_platform.audit.ingest import audit_database

    return audit_database(report_settings_db, role=None)


@pytest.fixture(scope="module")
def reader(report_settings_db):
    """The compliance (read-only) account, as the report uses it."""
    from genims_platform.audit.ingest import audit_database

    db = audit_database(report_settings_db, role="compliance")
    assert db.user == report_settings_db.audit.compliance.user
    return db


def _default(data_type: str, length: int | None):
    if data_type in {"tinyint", "smallint", "mediumint", "int", "bigint"}:
        return next(_numbers)
    if data_type == "decimal":
        return Decimal("1.00")
    if data_type in {"datetime", "timestamp"}:
        return at(DAY, 0)
    if data_type == "date":
        return DAY
    return "x" * min(length or 1, 8)


def append(owner, table: str, stream: str, rows: list[dict]) -> None:
    """Append hand-made rows through the hash chain; NOT NULL columns a row leaves out get a
    neutral value (a fresh number for integers, so unique keys never collide)."""
    from genims_platform.audit.chain import (
        ChainedRow,
        append_chained,
        begin_append,
        lock_heads,
        save_heads,
    )
    from genims_platform.audit.verify import stored_columns

    with owner.connect() as conn:
        begin_append(conn)
        with conn.cursor() as cur:
            columns = stored_columns(cur, table)
            cur.execute(
                "SELECT COLUMN_NAME, IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH "
                "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                "AND TABLE_NAME = %s",
                (table,),
            )
            meta = {r[0]: (r[1] == "YES", r[2], r[3]) for r in cur.fetchall()}

            def value(row: dict, column: str):
                if column in row:
                    return row[column]
                nullable, data_type, length = meta[column]
                return None if nullable else _default(data_type, length)

            chained = [ChainedRow(stream, {c: value(r, c) for c in columns}) for r in rows]
            heads = lock_heads(cur, {stream: table})
            append_chained(cur, table, columns, chained, heads)
            save_heads(cur, heads.values(), datetime.now(UTC))
        conn.commit()


def document(owner, action: str, when: datetime, name: str, **details) -> None:
    from genims_platform.audit.chain import begin_append
    from genims_platform.operations.documents import DocumentAction, record_document_actions

    with owner.connect() as conn:
        begin_append(conn)
        with conn.cursor() as cur:
            record_document_actions(
                cur,
                [
                    DocumentAction(
                        container="gt-rp-backups",
                        name=name,
                        document_type="BACKUP",
                        action=action,
                        retention_requirement="audit backups: 2555 days",
                        performed_by="pytest",
                        size_bytes=4096,
                        sha256=hashlib.sha256(name.encode()).hexdigest(),
                        details=details,
                    )
                ],
                now=when.replace(tzinfo=UTC),
            )
        conn.commit()


@pytest.fixture(scope="module")
def seeded(owner):
    """The hand-made day: rows on DAY, and rows just before and after it that must not count."""
    changes = [at(DAY, h, m) for h, m in ((0, 0), (8, 0), (10, 0), (11, 0), (12, 30))]
    changes.append(at(DAY, 23, 59, 59, 999999))
    outside = [at(BEFORE, 23, 59, 59, 999999), at(AFTER, 0, 0)]
    append(
        owner,
        "system_audit_log",
        "system_audit_log/erp",
        [{"source_db": "erp", "audit_timestamp": t, "created_at": t} for t in changes + outside],
    )
    append(
        owner,
        "system_audit_log",
        "system_audit_log/crm",
        [{"source_db": "crm", "created_at": at(DAY, 9, i)} for i in range(3)],
    )
    append(
        owner,
        "security_event_log",
        "security_event_log/master",
        [
            {"event_type": kind, "severity": sev, "event_timestamp": when, "created_at": created}
            for kind, sev, when, created in (
                ("AUTH_FAILURE", "MEDIUM", at(DAY, 3, 15), at(DAY, 3, 16)),
                ("AUTH_FAILURE", "MEDIUM", at(DAY, 3, 40), at(DAY, 3, 41)),
                ("SUSPICIOUS_ACTIVITY", "HIGH", at(DAY, 14, 5), at(DAY, 14, 6)),
                # Happened the day before, audited late: volume of DAY, not an event of DAY.
                ("AUTH_FAILURE", "MEDIUM", at(BEFORE, 22, 0), at(DAY, 0, 1)),
            )
        ],
    )
    checks = [("gt_rp_row_count", "PASSED", "ERROR", at(DAY, 4, i)) for i in range(4)]
    checks += [
        ("gt_rp_orders_not_null", "FAILED", "ERROR", at(DAY, 5, 0)),
        ("gt_rp_margin_range", "FAILED", "WARN", at(DAY, 6, 0)),
    ]
    append(
        owner,
        "validation_rule_execution",
        "validation_rule_execution/dagster",
        [
            {
                "rule_name": rule,
                "entity_type": "genims_reporting_db/sales_order_summary",
                "partition_key": "2025-03-13",
                "validation_result": result,
                "severity": severity,
                "records_failed": 3 if result == "FAILED" else 0,
                "failure_reason": "3 rows with NULL order_id" if result == "FAILED" else None,
                "execution_timestamp": when,
                "created_at": when,
            }
            for rule, result, severity, when in checks
        ]
        + [
            {
                "rule_name": "gt_rp_yesterday",
                "entity_type": "x",
                "validation_result": "FAILED",
                "severity": "ERROR",
                "execution_timestamp": at(BEFORE, 23, 0),
                "created_at": at(BEFORE, 23, 0),
            }
        ],
    )
    digest = hashlib.sha256(b"gt_rp digest").hexdigest()
    append(
        owner,
        "audit_trail_integrity",
        "audit_trail_integrity/platform",
        [
            {
                "verification_type": kind,
                "verification_status": status,
                "verification_timestamp": when,
                "rows_verified": rows,
                "streams_verified": 12,
                "digest_sha256": digest if kind.startswith("DIGEST") else None,
                "digest_location": "genims-audit-digests/gt/2025/03/14/d.json"
                if kind.startswith("DIGEST")
                else None,
                "problems": "stream x: seq 3 does not match its hash"
                if status != "VALID"
                else None,
                "verified_by": "pytest",
                "created_at": when,
            }
            for kind, status, when, rows in (
                ("FULL", "VALID", at(DAY, 0, 10), 1000),
                ("DIGEST_EXPORT", "VALID", at(DAY, 1, 5), 40),
                ("DIGEST_CHECK", "VALID", at(DAY, 1, 6), 40),
                ("DIGEST_CHECK", "TAMPERED", at(DAY, 13, 5), 40),
                ("FULL", "TAMPERED", at(AFTER, 0, 10), 1000),
            )
        ],
    )
    backups = (
        ("CREATED", at(DAY, 2, 0), "audit/d1.sql.gz", {}),
        ("CREATED", at(DAY, 2, 1), "reporting/d1.sql.gz", {}),
        ("VERIFIED", at(DAY, 2, 30), "reporting/d1.sql.gz", {"tables": 35}),
        ("VERIFY_FAILED", at(DAY, 2, 31), "audit/d1.sql.gz", {"reason": "row count differs"}),
        ("DELETED", at(DAY, 2, 40), "audit/old.sql.gz", {}),
        ("CREATED", at(BEFORE, 2, 0), "audit/d0.sql.gz", {}),
    )
    for action, when, name, details in backups:
        document(owner, action, when, name, **details)
    append(
        owner,
        "data_retention_schedule",
        "data_retention_schedule/audit",
        [
            {"table_name": t, "deletion_status": s, "rows_affected": n, "created_at": when}
            for t, s, n, when in (
                ("system_audit_log", "PURGED", 100, at(DAY, 1, 0)),
                ("system_audit_log", "HELD", 0, at(DAY, 1, 1)),
                ("exception_log", "FAILED", 0, at(DAY, 1, 2)),
                ("exception_log", "PURGED", 7, at(BEFORE, 1, 0)),
            )
        ],
    )
    append(
        owner,
        "legal_hold_records",
        "legal_hold_records",
        [
            {
                "hold_id": hold,
                "action": action,
                "legal_matter_id": "MATTER-7",
                "case_name": "GenIMS v. Supplier",
                "hold_date": when,
                "released_date": when if action == "RELEASED" else None,
                "created_at": when,
            }
            for hold, action, when in (
                (7, "PLACED", at(DAY, 9, 0)),
                (3, "RELEASED", at(DAY, 12, 0)),
                (9, "PLACED", at(BEFORE, 9, 0)),
            )
        ],
    )
    with owner.connect() as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO audit_legal_hold (legal_matter_id, table_name, placed_by, placed_at, "
            "released_at) VALUES (%s, %s, 'pytest', %s, %s)",
            [
                ("MATTER-A", "system_audit_log", at(DAY - timedelta(days=10), 9), None),
                ("MATTER-B", None, at(DAY - timedelta(days=5), 9), at(DAY + timedelta(days=2), 9)),
                ("MATTER-C", "exception_log", at(DAY - timedelta(days=3), 9), at(DAY, 12)),
                ("MATTER-E", None, at(AFTER, 9), None),
            ],
        )
        conn.commit()
    append(
        owner,
        "sla_compliance_tracking",
        "sla_compliance_tracking",
        [
            {
                "sla_id": f"GT:{i}:{sla_type}",
                "record_version": 1,
                "sla_type": sla_type,
                "compliance_status": status,
                "created_at": when,
            }
            for i, (sla_type, status, when) in enumerate(
                (
                    ("RESPONSE", "MET", at(DAY, 7)),
                    ("RESPONSE", "MET", at(DAY, 8)),
                    ("RESPONSE", "BREACHED", at(DAY, 9)),
                    ("DELIVERY", "PENDING", at(DAY, 10)),
                    ("RESOLUTION", "MET", at(BEFORE, 10)),
                )
            )
        ],
    )

    def request(rid, version, rtype, status, received, completed, met, created):
        return {
            "request_id": rid,
            "record_version": version,
            "request_type": rtype,
            "status": status,
            "request_date": received.date(),
            "received_at": received,
            "legal_deadline_at": received + timedelta(days=30),
            "completion_date": completed,
            "deadline_met": met,
            "created_at": created,
        }

    append(
        owner,
        "gdpr_data_request_log",
        "gdpr_data_request_log",
        [
            request(1, 1, "ACCESS", "PENDING", at(DAY, 8), None, None, at(DAY, 9)),
            request(
                2,
                1,
                "DELETE",
                "PENDING",
                at(DAY - timedelta(40), 8),
                None,
                None,
                at(DAY - timedelta(40), 9),
            ),
            request(
                2, 2, "DELETE", "COMPLETED", at(DAY - timedelta(40), 8), DAY, "NO", at(DAY, 10)
            ),
            request(
                3,
                1,
                "ACCESS",
                "PENDING",
                at(DAY - timedelta(35), 8),
                None,
                None,
                at(DAY - timedelta(35), 9),
            ),
            request(
                4,
                1,
                "ACCESS",
                "PENDING",
                at(DAY - timedelta(5), 8),
                None,
                None,
                at(DAY - timedelta(5), 9),
            ),
            request(
                4, 2, "ACCESS", "COMPLETED", at(DAY - timedelta(5), 8), AFTER, "YES", at(AFTER, 9)
            ),
            request(5, 1, "PORTABILITY", "IN_PROGRESS", at(DAY, 8), None, None, at(DAY, 11)),
            request(5, 2, "PORTABILITY", "DENIED", at(DAY, 8), DAY, "YES", at(DAY, 18)),
        ],
    )
    return {"digest": digest}


@pytest.fixture(scope="module")
def instance():
    """A Dagster instance whose event log holds freshness-state changes written on DAY (and
    one the day after), as the FreshnessDaemon writes them."""
    inst = dg.DagsterInstance.ephemeral()
    changes = (
        (["genims_reporting_db", "sales_by_product"], "PASS", "WARN", at(DAY, 5)),
        (["genims_reporting_db", "sales_by_product"], "WARN", "FAIL", at(DAY, 6)),
        (["genims_reporting_db", "sales_by_product"], "FAIL", "PASS", at(DAY, 7)),
        (["genims_audit_db", "system_audit_log"], "PASS", "WARN", at(DAY, 20)),
        (["genims_reporting_db", "oee_daily_summary"], "PASS", "FAIL", at(AFTER, 1)),
    )
    for key, before, after, when in changes:
        stamp = when.replace(tzinfo=UTC)
        with freeze_time(stamp):
            inst.report_runless_asset_event(
                FreshnessStateChange(
                    key=dg.AssetKey(key),
                    previous_state=FreshnessState(before),
                    new_state=FreshnessState(after),
                    state_change_timestamp=stamp.timestamp(),
                )
            )
    return inst


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def section(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin)]


def number_after(text: str, pattern: str) -> int:
    found = re.search(pattern + r"\s+([\d,]+)", text)
    assert found, f"{pattern!r} not found"
    return int(found.group(1).replace(",", ""))


def one(owner, sql: str, *params) -> int:
    return int(owner.scalar(sql, params) or 0)


def render(reader, day: date, instance=None):
    from genims_platform.operations.report import render_report

    return render_report(reader, day, instance=instance, now=GENERATED)


@pytest.mark.integration
def test_every_figure_matches_an_independent_count(seeded, owner, reader, instance):
    from genims_platform.operations.compliance_data import FEEDS

    data, rendered = render(reader, DAY, instance)
    text = pdf_text(rendered.pdf)
    assert "Report day: 2025-03-14 (00:00 to 24:00 UTC)" in text
    assert f"Audit database: {DATABASE}" in text

    # Audit volume per table and per feed: counted here by calendar day of created_at.
    cur_tables = [
        r[0]
        for r in owner.query(
            "SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
            "AND COLUMN_NAME = 'canonical_payload' ORDER BY TABLE_NAME"
        )
    ]
    per_table = section(text, "Rows appended per audit table", "2. Hash chains")
    total = 0
    for table in cur_tables:
        expected = one(
            owner,
            f"SELECT COUNT(*) FROM {mysql.quote_ident(table)} WHERE DATE(created_at) = %s",
            DAY,
        )
        total += expected
        assert number_after(per_table, rf"\n{table} \d+") == expected, table
    assert number_after(per_table, r"\nTotal") == total == data.volume.total
    feeds_text = section(
        text, "Rows appended per feed (the chart's values)", "Rows appended per audit table"
    )
    shown = {
        m.group(1): int(m.group(2).replace(",", ""))
        for m in re.finditer(r"([a-z_]+) ([\d,]+)", feeds_text)
    }
    by_feed = dict.fromkeys(FEEDS, 0)
    for table in cur_tables:
        for stream, count in owner.query(
            f"SELECT stream_id, COUNT(*) FROM {mysql.quote_ident(table)} "
            "WHERE DATE(created_at) = %s GROUP BY stream_id",
            (DAY,),
        ):
            part = stream.split("/", 1)[1] if "/" in stream else ""
            feed = part if part in (*SOURCE_DATABASES, "dagster", "mysql", "platform") else "other"
            by_feed[feed] += int(count)
    assert shown == by_feed
    assert (by_feed["erp"], by_feed["crm"], by_feed["master"]) == (6, 3, 4)
    assert (by_feed["dagster"], by_feed["platform"], by_feed["other"]) == (6, 4, 18)

    # Hash chains: the latest FULL before the end of the day, digests, the tampered check.
    integrity = section(text, "2. Hash chains and digests", "3. Backups")
    full_status = owner.scalar(
        "SELECT verification_status FROM audit_trail_integrity WHERE verification_type = "
        "'FULL' AND DATE(verification_timestamp) <= %s ORDER BY verification_timestamp DESC "
        "LIMIT 1",
        (DAY,),
    )
    assert full_status == "VALID"
    assert "Latest full verification: 2025-03-14 00:10:00 UTC, VALID, 1,000 rows" in integrity
    assert f"digest SHA-256 {seeded['digest']}" in integrity
    assert "Latest digest check: 2025-03-14 13:05:00 UTC, TAMPERED" in integrity
    for kind in ("FULL", "DIGEST_EXPORT", "DIGEST_CHECK"):
        runs = one(
            owner,
            "SELECT COUNT(*) FROM audit_trail_integrity WHERE verification_type = %s "
            "AND DATE(verification_timestamp) = %s",
            kind,
            DAY,
        )
        bad = one(
            owner,
            "SELECT COUNT(*) FROM audit_trail_integrity WHERE verification_type = %s "
            "AND DATE(verification_timestamp) = %s AND verification_status <> 'VALID'",
            kind,
            DAY,
        )
        row = re.search(rf"\n{kind} (\d+) (\d+) (\d+) ", integrity)
        assert row and (int(row.group(1)), int(row.group(3))) == (runs, bad), kind
    assert "1 verification(s) of the day not VALID." in text

    # Backups and restore verifications.
    backups = section(text, "3. Backups and restore verifications", "4. Retention")
    for action, known in (("CREATED", 2), ("VERIFIED", 1), ("VERIFY_FAILED", 1), ("DELETED", 1)):
        expected = one(
            owner,
            "SELECT COUNT(*) FROM document_retention_log WHERE document_type = 'BACKUP' "
            "AND action = %s AND DATE(retention_date) = %s",
            action,
            DAY,
        )
        assert expected == known
        assert number_after(backups, rf"\n{action}") == expected
    assert "RESTORE VERIFICATION FAILED for 1 backup(s)" in backups
    failed_line = next(line for line in backups.splitlines() if " VERIFY_FAILED " in line)
    # A long document id may wrap inside its cell; the extracted line then has a space in it.
    assert "gt-rp-backups/audit/d1.sql.gz" in failed_line.replace(" ", "")
    assert "row count differs" in failed_line
    assert "1 backup restore verification(s) FAILED." in text

    # Retention actions.
    retention = section(text, "4. Retention actions", "5. Legal holds")
    for table, status, actions, rows in owner.query(
        "SELECT table_name, deletion_status, COUNT(*), SUM(rows_affected) FROM "
        "data_retention_schedule WHERE DATE(created_at) = %s GROUP BY 1, 2",
        (DAY,),
    ):
        assert re.search(rf"\n{table} {status} {actions} {int(rows):,}\n", retention), table
    assert re.search(r"\nTotal\s+3 100\n", retention)

    # Legal holds: active at the end of the day, placed and released on it.
    holds = section(text, "5. Legal holds", "6. SLA compliance")
    active = one(
        owner,
        "SELECT COUNT(*) FROM audit_legal_hold WHERE DATE(placed_at) <= %s "
        "AND NOT (released_at IS NOT NULL AND DATE(released_at) <= %s)",
        DAY,
        DAY,
    )
    placed, released = (
        one(
            owner,
            "SELECT COUNT(*) FROM legal_hold_records WHERE action = %s AND DATE(created_at) = %s",
            action,
            DAY,
        )
        for action in ("PLACED", "RELEASED")
    )
    assert (active, placed, released) == (2, 1, 1)
    assert (
        f"Active at the end of the day: {active}. Placed on the day: {placed}. "
        f"Released on the day: {released}." in holds
    )
    assert "MATTER-A" in holds and "MATTER-B" in holds
    assert "MATTER-C" not in holds and "MATTER-E" not in holds

    # SLA compliance.
    sla = section(text, "6. SLA compliance", "7. Security events")
    counts = {
        (t, s): int(n)
        for t, s, n in owner.query(
            "SELECT sla_type, compliance_status, COUNT(*) FROM sla_compliance_tracking "
            "WHERE DATE(created_at) = %s GROUP BY 1, 2",
            (DAY,),
        )
    }
    for sla_type in ("RESPONSE", "DELIVERY"):
        met, breached, pending = (
            counts.get((sla_type, s), 0) for s in ("MET", "BREACHED", "PENDING")
        )
        ratio = f"{met / (met + breached):.1%}" if met + breached else "-"
        row = f"{sla_type} {met} {breached} {pending} {met + breached + pending} {ratio}"
        assert f"\n{row}\n" in sla, row
    assert "RESOLUTION" not in sla
    assert "1 SLA measurement(s) BREACHED." in text

    # Security events per hour (the chart's table) and per type.
    security = section(text, "7. Security events", "8. GDPR")
    hours = {
        int(h): int(n)
        for h, n in owner.query(
            "SELECT HOUR(event_timestamp), COUNT(*) FROM security_event_log "
            "WHERE DATE(event_timestamp) = %s GROUP BY 1",
            (DAY,),
        )
    }
    assert hours == {3: 2, 14: 1}
    shown_hours = []
    for match in re.finditer(r"\nEvents((?: [\d,]+){12})", security):
        shown_hours += [int(v.replace(",", "")) for v in match.group(1).split()]
    assert shown_hours == [hours.get(h, 0) for h in range(24)]
    for event_type, severity, count in owner.query(
        "SELECT event_type, severity, COUNT(*) FROM security_event_log "
        "WHERE DATE(event_timestamp) = %s GROUP BY 1, 2",
        (DAY,),
    ):
        assert re.search(rf"\n{event_type} {severity} {count}\n", security)
    assert f"{sum(hours.values())} security events on the day." in security

    # GDPR requests as known at the end of the day (latest version appended before it).
    gdpr = section(text, "8. GDPR data subject requests", "9. Asset checks")
    latest = owner.query(
        "SELECT g.request_type, g.status, g.request_date, g.completion_date, g.deadline_met, "
        "g.legal_deadline_at FROM gdpr_data_request_log g WHERE DATE(g.created_at) <= %s "
        "AND NOT EXISTS (SELECT 1 FROM gdpr_data_request_log n WHERE n.request_id = "
        "g.request_id AND n.record_version > g.record_version AND DATE(n.created_at) <= %s)",
        (DAY, DAY),
    )
    end = at(AFTER, 0)
    for request_type in sorted({r[0] for r in latest}):
        mine = [r for r in latest if r[0] == request_type]
        opened = [r for r in mine if r[1] in ("PENDING", "IN_PROGRESS")]
        expected = [
            sum(r[2] == DAY for r in mine),
            sum(r[3] == DAY and r[1] == "COMPLETED" for r in mine),
            sum(r[3] == DAY and r[1] == "DENIED" for r in mine),
            sum(r[3] == DAY and r[4] == "NO" for r in mine),
            len(opened),
            sum(r[5] < end for r in opened),
        ]
        assert re.search(rf"\n{request_type} {' '.join(map(str, expected))}\n", gdpr), request_type
    assert re.search(r"\nACCESS 1 0 0 0 3 1\n", gdpr)
    assert "1 GDPR request(s) open past the deadline." in text

    # Asset checks: counts and every failure listed as FAILED.
    checks = section(text, "9. Asset checks", "10. Freshness")
    executed, failed = (
        one(
            owner,
            "SELECT COUNT(*) FROM validation_rule_execution WHERE DATE(execution_timestamp)"
            " = %s" + extra,
            DAY,
        )
        for extra in ("", " AND validation_result = 'FAILED'")
    )
    assert (executed, failed) == (6, 2)
    assert re.search(rf"\n{executed} {executed - failed} {failed} 1 1\n", checks)
    assert "FAILED gt_rp_orders_not_null" in checks and "FAILED gt_rp_margin_range" in checks
    assert "gt_rp_yesterday" not in checks
    assert "2 asset check execution(s) FAILED." in text

    # Freshness violations of the day from the instance's event log.
    freshness = section(text, "10. Freshness violations", "Notes")
    assert re.search(r"\ngenims_reporting_db/sales_by_product FAIL 2 05:00:00 PASS\n", freshness)
    assert re.search(r"\ngenims_audit_db/system_audit_log WARN 1 20:00:00 WARN\n", freshness)
    assert "oee_daily_summary" not in freshness
    assert "2 asset(s) violated their freshness policy." in text

    assert data.figures()["checks_failed"] == failed
    assert rendered.pages == len(PdfReader(io.BytesIO(rendered.pdf)).pages)


@pytest.mark.integration
def test_an_empty_day_renders_zeros(seeded, reader):
    data, rendered = render(reader, EMPTY_DAY)
    text = pdf_text(rendered.pdf)
    assert "Report day: 2025-01-02" in text
    assert "0 rows were appended to the hash-chained audit tables." in text
    assert "no rows appended" in text
    feeds = section(text, "Rows appended per feed (the chart's values)", "Rows appended per audit")
    values = [int(v) for v in re.findall(r"[a-z_]+ ([\d,]+)", feeds)]
    assert len(values) == len(SOURCE_DATABASES) + 4 and set(values) == {0}
    for message in (
        "No full verification of the hash chains has been recorded.",
        "No backup activity was recorded on this day.",
        "No retention actions were recorded on this day.",
        "No legal hold is active.",
        "No SLA measurement was recorded on this day.",
        "0 security events on the day.",
        "No security events on this day.",
        "no events",
        "No asset check failed on this day.",
        "no Dagster instance was available",
    ):
        assert message in text, message
    assert data.figures()["audit_rows_appended"] == 0


@pytest.mark.integration
def test_rendering_is_deterministic(seeded, reader, instance):
    from genims_platform.operations.compliance_pdf import FpdfRenderer

    data, first = render(reader, DAY, instance)
    assert FpdfRenderer().render(data).pdf == first.pdf


@pytest.mark.integration
def test_stored_in_blob_storage_and_recorded(seeded, owner, reader, settings):
    from genims_platform.lib.blob import AzureBlobStore, sha256_of
    from genims_platform.operations.report import store_report

    blob = AzureBlobStore(settings.azure_connection_string)
    container = f"gt-rp-{uuid.uuid4().hex[:10]}"
    data, rendered = render(reader, DAY)
    first = store_report(owner, blob, container, data, rendered, retention_days=2555)
    assert first.name == "2025/03/compliance-2025-03-14.pdf" and first.revision == 1
    stored = blob.get(container, first.name)
    assert stored == rendered.pdf
    info = blob.info(container, first.name)
    assert info.sha256 == sha256_of(stored) == hashlib.sha256(rendered.pdf).hexdigest()
    row = owner.query(
        "SELECT document_type, action, archived_location, sha256, size_bytes, "
        "retention_requirement, deletion_scheduled_date, details FROM document_retention_log "
        "WHERE document_id = %s",
        (f"{container}/{first.name}",),
    )
    assert len(row) == 1
    doc_type, action, location, sha, size, requirement, deletion, details = row[0]
    assert (doc_type, action, location) == ("COMPLIANCE_REPORT", "CREATED", first.location)
    assert (sha, size) == (info.sha256, len(stored))
    assert requirement == "compliance reports: 2555 days"
    assert deletion == GENERATED.date() + timedelta(days=2555)
    assert '"report_day":"2025-03-14"' in details

    again = store_report(owner, blob, container, data, rendered, retention_days=2555)
    assert again.name == "2025/03/compliance-2025-03-14.r2.pdf" and again.revision == 2
    assert blob.get(container, first.name) == stored
    assert f'"supersedes":"{first.location}"' in owner.scalar(
        "SELECT details FROM document_retention_log WHERE document_id = %s", (again.location,)
    )


@pytest.mark.integration
def test_the_asset_renders_a_partition(seeded, owner, reader, settings, report_settings_db):
    from genims_platform.operations.report import (
        BLOB_RESOURCE,
        OWNER_RESOURCE,
        READER_RESOURCE,
        ReportBlob,
        report_asset,
        report_settings,
    )

    container = f"gt-rp-{uuid.uuid4().hex[:10]}"
    partitions = dg.DailyPartitionsDefinition(start_date="2025-01-01", timezone="UTC")
    asset = report_asset(partitions, report_settings({}))
    result = dg.materialize(
        [asset],
        partition_key=DAY.isoformat(),
        instance=dg.DagsterInstance.ephemeral(),
        resources={
            READER_RESOURCE: reader,
            OWNER_RESOURCE: owner,
            BLOB_RESOURCE: ReportBlob(
                connection_string=settings.azure_connection_string, container=container
            ),
        },
    )
    assert result.success
    metadata = result.asset_materializations_for_node(asset.node_def.name)[0].metadata
    location = metadata["blob_location"].value
    assert location == f"{container}/2025/03/compliance-2025-03-14.pdf"
    assert metadata["pages"].value >= 4
    assert metadata["figures"].value["checks_failed"] == 2
    assert metadata["render_seconds"].value > 0
    (check,) = result.get_asset_check_evaluations()
    assert check.passed
    from genims_platform.lib.blob import AzureBlobStore

    pdf = AzureBlobStore(settings.azure_connection_string).get(container, location.split("/", 1)[1])
    assert len(pdf) == metadata["size_bytes"].value
    assert "Report day: 2025-03-14" in pdf_text(pdf)
    assert (
        one(
            owner,
            "SELECT COUNT(*) FROM document_retention_log WHERE document_id = %s AND sha256 = %s",
            location,
            metadata["sha256"].value,
        )
        == 1
    )


@pytest.mark.integration
def test_cli_renders_a_day_to_a_file_and_uploads(seeded, owner, environ, tmp_path):
    from genims_platform.cli import main

    target = tmp_path / "out" / "day.pdf"
    container = f"gt-rp-{uuid.uuid4().hex[:10]}"
    env = {**environ, "COMPLIANCE_REPORT_CONTAINER": container, "DAGSTER_HOME": ""}
    result = CliRunner().invoke(
        main,
        ["report", "compliance", "--date", DAY.isoformat(), "--output", str(target), "--upload"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert target.is_file()
    assert "Report day: 2025-03-14" in pdf_text(target.read_bytes())
    assert f"stored at {container}/2025/03/compliance-2025-03-14.pdf" in result.output
    assert "finding: 1 backup restore verification(s) FAILED." in result.output
    assert environ["MYSQL_AUDIT_COMPLIANCE_PASSWORD"] not in result.output
    assert (
        one(
            owner,
            "SELECT COUNT(*) FROM document_retention_log WHERE document_id = %s",
            f"{container}/2025/03/compliance-2025-03-14.pdf",
        )
        == 1
    )


@pytest.mark.integration
def test_cli_refuses_bad_days(seeded, environ, tmp_path):
    from genims_platform.cli import main

    future = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    target = tmp_path / "never.pdf"
    result = CliRunner().invoke(
        main, ["report", "compliance", "--date", future, "--output", str(target)], env=environ
    )
    assert result.exit_code == 1
    assert f"no compliance report for {future}: the day has not begun" in result.output
    assert not target.exists()
    result = CliRunner().invoke(main, ["report", "compliance", "--date", "14.03.2025"], env=environ)
    assert result.exit_code == 2
    assert "'14.03.2025' does not match the format '%Y-%m-%d'" in result.output


@pytest.mark.integration
def test_a_report_that_cannot_be_recorded_says_where_it_was_stored(seeded, owner, reader, settings):
    from genims_platform.lib.blob import AzureBlobStore
    from genims_platform.lib.resources import MySQLDatabase
    from genims_platform.operations.report import ReportError, store_report

    secret = f"wrong-{secrets.token_hex(6)}"
    unknown = MySQLDatabase(
        logical="audit",
        database=owner.database,
        host=owner.host,
        port=owner.port,
        user="gt_rp_nobody",
        password=secret,
    )
    blob = AzureBlobStore(settings.azure_connection_string)
    container = f"gt-rp-{uuid.uuid4().hex[:10]}"
    data, rendered = render(reader, DAY)
    with pytest.raises(ReportError) as raised:
        store_report(unknown, blob, container, data, rendered)
    message = str(raised.value)
    location = f"{container}/2025/03/compliance-2025-03-14.pdf"
    assert f"stored at {location} but could not be recorded" in message
    assert secret not in message
    assert blob.get(container, "2025/03/compliance-2025-03-14.pdf") == rendered.pdf
    assert (
        one(owner, "SELECT COUNT(*) FROM document_retention_log WHERE document_id = %s", location)
        == 0
    )
