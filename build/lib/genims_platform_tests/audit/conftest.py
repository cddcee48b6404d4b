"""Fixtures of the audit tests: the initialised databases with the least-privilege accounts,
login capture on master.user_login_events, and helpers to write source changes and read back
what the audit database holds."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator

import pytest
from psycopg import sql

from genims_platform.lib import mysql, pg
from genims_platform.settings import Settings, load_settings

PASSWORDS = {
    "MYSQL_AUDIT_INGEST_PASSWORD": f"ing-{secrets.token_hex(8)}",
    "MYSQL_AUDIT_COMPLIANCE_PASSWORD": f"cmp-{secrets.token_hex(8)}",
    "MYSQL_AUDIT_RETENTION_PASSWORD": f"ret-{secrets.token_hex(8)}",
}


@pytest.fixture(scope="session")
def audit_settings(initialized) -> Iterator[Settings]:
    """Settings with the audit accounts' passwords; accounts created, login capture on."""
    from genims_platform.audit.security import apply_security

    os.environ.update(PASSWORDS)
    settings = load_settings()
    apply_security(settings)
    with pg.connect(settings.pg_primary, settings.source_db("master")) as conn:
        conn.execute("SELECT genims.enable_capture('public.user_login_events'::regclass)")
    yield settings


@pytest.fixture(scope="session")
def owner(audit_settings):
    """The audit database as its owner (MYSQL_AUDIT_USER)."""
    from genims_platform.audit.ingest import audit_database

    return audit_database(audit_settings, role=None)


@pytest.fixture(scope="session")
def ingest_db(audit_settings):
    """The audit database as the least-privilege ingest account."""
    from genims_platform.audit.ingest import audit_database

    db = audit_database(audit_settings, role="ingest")
    assert db.user == audit_settings.audit.ingest.user
    return db


def source(settings: Settings, logical: str):
    from genims_platform.audit.ingest import source_resource

    return source_resource(settings, logical)


def execute(settings: Settings, logical: str, statement: str, params=None) -> None:
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        conn.execute(statement, params)


def drain(settings: Settings, db, logicals, batch_size: int = 5000) -> dict:
    """Ingest the given sources until caught up; returns the results."""
    from genims_platform.audit.ingest import ingest_source

    out = {}
    for logical in logicals:
        result = ingest_source(source(settings, logical), db, logical, batch_size=batch_size)
        assert result.error is None, result.error
        out[logical] = result
    return out


def outbox_ids(settings: Settings, logical: str) -> list[int]:
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        rows = conn.execute("SELECT event_id FROM genims.outbox ORDER BY event_id").fetchall()
    return [r[0] for r in rows]


def audited_ids(owner, logical: str) -> list[int]:
    """source_event_ids in system_audit_log for `logical`'s current generation."""
    rows = owner.query(
        "SELECT s.source_event_id FROM system_audit_log AS s JOIN audit_ingest_cursor AS c "
        "ON c.feed = s.source_db AND c.source_generation = s.source_generation "
        "WHERE s.source_db = %s ORDER BY s.source_event_id",
        (logical,),
    )
    return [int(r[0]) for r in rows]


def all_audited_ids(owner, logical: str) -> set[int]:
    """Event ids audited in any generation of `logical`."""
    rows = owner.query(
        "SELECT source_event_id FROM system_audit_log WHERE source_db = %s", (logical,)
    )
    return {int(r[0]) for r in rows}


def settle(settings: Settings, owner, ingest_db, logical: str) -> list[int]:
    """Drain until every committed event below the horizon is in (the horizon is shared with
    other sessions of the cluster); returns the outbox's event ids."""
    deadline = time.monotonic() + 60
    while True:
        drain(settings, ingest_db, [logical])
        ids = outbox_ids(settings, logical)
        if set(ids) <= all_audited_ids(owner, logical):
            return ids
        assert time.monotonic() < deadline, "events still missing"
        time.sleep(0.2)


def root_connection(settings: Settings):
    """A privileged connection (the attacker with DBA rights of the tamper tests)."""
    return mysql.connect(settings.target("audit"), autocommit=True)


def insert_setting(settings: Settings, logical: str, key: str, value: str = "v") -> None:
    execute(
        settings,
        logical,
        "INSERT INTO module_settings (setting_key, setting_value, description, updated_by) "
        "VALUES (%s, %s, 'test', 'pytest')",
        (key, value),
    )


def truncate_outbox_free(settings: Settings, logical: str, table: str) -> None:
    """Empty a source table without capture (test set-up only)."""
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
