"""Append-only, enforced: privileges for the ingest and compliance roles, triggers for everyone,
and the narrow DELETE path of the retention role (expired, not held, declared purge)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pymysql
import pytest

from genims_platform.audit.chain import ChainedRow, append_chained, lock_heads, save_heads
from genims_platform.audit.events import COLUMNS, SECURITY
from genims_platform.audit.ingest import audit_database
from genims_platform.audit.verify import record_incremental, verify_all
from genims_platform.lib import mysql

pytestmark = pytest.mark.integration

ACCESS_DENIED = 1142
SIGNAL = 1644  # SQLSTATE 45000 raised by SIGNAL


def _connect(settings, role: str):
    account = {a.role: a for a in settings.audit.accounts}[role]
    target = settings.target("audit")
    return pymysql.connect(
        host=target.host,
        port=target.port,
        user=account.user,
        password=account.password,
        database=target.database,
        autocommit=True,
    )


def _error(conn, statement: str, params=()) -> tuple[int, str]:
    with conn.cursor() as cur, pytest.raises(pymysql.err.MySQLError) as caught:
        cur.execute(statement, params)
    return caught.value.args[0], caught.value.args[1]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE system_audit_log SET user_id = 'x' LIMIT 1",
        "DELETE FROM system_audit_log LIMIT 1",
        "TRUNCATE TABLE system_audit_log",
        "DROP TABLE data_change_audit",
    ],
)
def test_ingest_role_can_only_insert_and_read(audit_settings, statement):
    conn = _connect(audit_settings, "ingest")
    try:
        code, message = _error(conn, statement)
        assert code == ACCESS_DENIED, message
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM system_audit_log")
    finally:
        conn.close()


def test_compliance_role_is_read_only(audit_settings):
    conn = _connect(audit_settings, "compliance")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM audit_trail_integrity")
        code, _ = _error(
            conn, "INSERT INTO audit_legal_hold (legal_matter_id, placed_by) VALUES ('x', 'y')"
        )
        assert code == ACCESS_DENIED
    finally:
        conn.close()


def _a_recent_row(owner, table: str) -> None:
    """A row the triggers must protect (a statement on an empty table would fire none)."""
    if table == SECURITY:
        stream = f"{SECURITY}/r{uuid.uuid4().hex[:8]}"
        _old_rows(owner, stream, datetime.now(UTC).replace(tzinfo=None), 1)
        return
    from genims_platform.operations.documents import DocumentAction, record_document_actions

    action = DocumentAction(
        "genims-test", f"roles-{uuid.uuid4().hex[:8]}", "BACKUP", "CREATED", "test", "test"
    )
    with owner.connect() as conn:
        conn.begin()
        with conn.cursor() as cur:
            record_document_actions(cur, [action])
        conn.commit()


@pytest.mark.parametrize("table", [SECURITY, "document_retention_log"])
def test_triggers_refuse_update_and_delete_even_for_the_owner(audit_settings, owner, table):
    _a_recent_row(owner, table)
    with mysql.connect(audit_settings.target("audit"), autocommit=True) as conn:
        code, message = _error(conn, f"UPDATE {table} SET created_at = created_at")
        assert (code, "append-only: UPDATE refused") == (SIGNAL, message[-27:])
        code, message = _error(conn, f"DELETE FROM {table}")
        assert code == SIGNAL and "DELETE refused" in message


def _old_rows(owner, stream: str, created: datetime, n: int) -> None:
    with owner.connect() as conn:
        conn.begin()
        with conn.cursor() as cur:
            heads = lock_heads(cur, {stream: SECURITY})
            rows = [
                ChainedRow(
                    stream,
                    {
                        "event_timestamp": created,
                        "event_type": "AUTH_FAILURE",
                        "rule_name": "retention_test",
                        "user_id": None,
                        "username": "old",
                        "resource_accessed": None,
                        "ip_address": None,
                        "severity": "LOW",
                        "action_taken": "RECORDED",
                        "details": None,
                        "source_db": stream.split("/")[1],
                        "source_database": "none",
                        "source_generation": 1,
                        "source_event_id": i + 1,
                        "transaction_id": 0,
                        "created_at": created,
                    },
                )
                for i in range(n)
            ]
            append_chained(cur, SECURITY, COLUMNS[SECURITY], rows, heads)
            save_heads(cur, heads.values(), created)
            record_incremental(cur, heads.values(), datetime.now(UTC), part="retention_test")
        conn.commit()


def test_retention_deletes_only_expired_unheld_rows_of_a_declared_purge(audit_settings, owner):
    stream = f"security_event_log/rt{uuid.uuid4().hex[:8]}"
    _old_rows(owner, stream, datetime(2015, 1, 1), 3)
    conn = _connect(audit_settings, "retention")
    try:
        code, message = _error(
            conn,
            "DELETE FROM security_event_log WHERE stream_id = %s AND stream_seq = 1",
            (stream,),
        )
        assert code == SIGNAL and "only retention purges" in message
        with conn.cursor() as cur:
            cur.execute("SET @genims_retention_purge = 'on'")
        code, message = _error(
            conn,
            "DELETE FROM security_event_log WHERE created_at > UTC_TIMESTAMP() - INTERVAL 1 DAY "
            "LIMIT 1",
        )
        assert code == SIGNAL and "retention period" in message
        with mysql.connect(audit_settings.target("audit"), autocommit=True) as admin:
            with admin.cursor() as cur:
                cur.execute(
                    "INSERT INTO audit_legal_hold (legal_matter_id, table_name, stream_id, "
                    "placed_by) VALUES ('matter-1', 'security_event_log', %s, 'legal')",
                    (stream,),
                )
                hold = cur.lastrowid
        code, message = _error(
            conn,
            "DELETE FROM security_event_log WHERE stream_id = %s AND stream_seq = 1",
            (stream,),
        )
        assert code == SIGNAL and "legal hold" in message
        with mysql.connect(audit_settings.target("audit"), autocommit=True) as admin:
            with admin.cursor() as cur:
                cur.execute(
                    "UPDATE audit_legal_hold SET released_at = UTC_TIMESTAMP(6) WHERE hold_id = %s",
                    (hold,),
                )
        with conn.cursor() as cur:
            cur.execute(
                "SELECT hash_sha256 FROM security_event_log WHERE stream_id = %s "
                "AND stream_seq = 2",
                (stream,),
            )
            last_purged = cur.fetchone()[0]
            cur.execute(
                "DELETE FROM security_event_log WHERE stream_id = %s AND stream_seq <= 2",
                (stream,),
            )
            assert cur.rowcount == 2
    finally:
        conn.close()
    # The retention protocol: a checkpoint lets verification start at the first row left.
    with owner.connect() as c:
        report = verify_all(c, tables=["security_event_log"])
    mine = next(s for s in report.streams if s.stream_id == stream)
    assert any("no retention checkpoint" in p for p in mine.problems)
    _checkpoint(audit_settings, stream, 2, last_purged)
    with owner.connect() as c:
        report = verify_all(c, tables=["security_event_log"])
    mine = next(s for s in report.streams if s.stream_id == stream)
    assert mine.problems == [] and mine.rows == 1


def _checkpoint(settings, stream: str, seq: int, digest: str) -> None:
    from genims_platform.audit.verify import INTEGRITY_COLUMNS, write_integrity

    now = datetime.now(UTC)
    db = audit_database(settings, role="retention")
    values = dict.fromkeys(INTEGRITY_COLUMNS)
    values.update(
        {
            "verification_timestamp": now,
            "verification_type": "RETENTION_CHECKPOINT",
            "verified_stream": stream,
            "audit_log_id": seq,
            "from_seq": 1,
            "head_hash_sha256": digest,
            "rows_verified": seq,
            "streams_verified": 1,
            "verification_status": "VALID",
            "verified_by": "pytest retention",
            "duration_ms": 0,
            "created_at": now,
        }
    )
    with db.connect() as conn:
        conn.begin()
        with conn.cursor() as cur:
            write_integrity(cur, [values], "retention", now)
        conn.commit()
