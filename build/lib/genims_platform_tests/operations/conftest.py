"""Fixtures of the operations tests."""

from __future__ import annotations

import itertools
import os
import secrets
from datetime import UTC, datetime

import pytest

from genims_platform_tests.conftest import PREFIX

# Retention and legal holds: audit and reporting databases of their own, and audit accounts
# named after the test prefix (accounts are server-wide: other tests' passwords never clash).
RT_ACCOUNTS = {
    "MYSQL_AUDIT_INGEST_USER": f"{PREFIX}_rt_ingest",
    "MYSQL_AUDIT_COMPLIANCE_USER": f"{PREFIX}_rt_compliance",
    "MYSQL_AUDIT_RETENTION_USER": f"{PREFIX}_rt_retention",
}
_event_ids = itertools.count(1)


@pytest.fixture(scope="session")
def rt_env() -> dict[str, str]:
    """The environment of the retention tests (what the CLI tests export too)."""
    env = {
        **os.environ,
        "MYSQL_AUDIT_DB": f"{PREFIX}_rt_audit",
        "MYSQL_REPORTING_DB": f"{PREFIX}_rt_reporting",
        **RT_ACCOUNTS,
    }
    for role in ("INGEST", "COMPLIANCE", "RETENTION"):
        env[f"MYSQL_AUDIT_{role}_PASSWORD"] = f"rt-{secrets.token_hex(8)}"
    return env


@pytest.fixture(scope="session")
def rt_settings(rt_env):
    """Freshly created audit and reporting databases (migrations, triggers, grants, accounts)."""
    from genims_platform.bootstrap import init_all
    from genims_platform.lib import mysql
    from genims_platform.lib.resources import dispose_pools
    from genims_platform.settings import load_settings

    settings = load_settings(rt_env)
    dispose_pools()
    with mysql.connect(settings.target("audit"), database=None, autocommit=True) as conn:
        with conn.cursor() as cur:
            for logical in ("audit", "reporting"):
                name = mysql.quote_ident(settings.target(logical).database)
                cur.execute(f"DROP DATABASE IF EXISTS {name}")
    init_all(settings, sources=[], targets=["audit", "reporting"])
    yield settings
    dispose_pools()


@pytest.fixture(scope="session")
def rt_owner(rt_settings):
    from genims_platform.audit.ingest import audit_database

    return audit_database(rt_settings, role=None)


@pytest.fixture(scope="session")
def rt_retention_db(rt_settings):
    from genims_platform.audit.ingest import audit_database

    db = audit_database(rt_settings, role="retention")
    assert db.user == RT_ACCOUNTS["MYSQL_AUDIT_RETENTION_USER"]
    return db


@pytest.fixture(scope="session")
def rt_reporting_db(rt_settings):
    from genims_platform.operations.retention_cli import reporting_database

    return reporting_database(rt_settings)


def rt_append_events(owner, stream: str, created: list[datetime]) -> None:
    """Append security events created at the given (naive UTC) times to `stream` of
    security_event_log, as the owner account (rows are append-only: old rows are written with
    an old creation time)."""
    from genims_platform.audit.chain import (
        ChainedRow,
        append_chained,
        begin_append,
        lock_heads,
        save_heads,
    )
    from genims_platform.audit.events import COLUMNS, SECURITY
    from genims_platform.audit.verify import record_incremental

    feed = stream.split("/", 1)[1][:32]
    rows = [
        ChainedRow(
            stream,
            {
                "event_timestamp": when,
                "event_type": "AUTH_FAILURE",
                "rule_name": "retention_test",
                "user_id": None,
                "username": "pytest",
                "resource_accessed": None,
                "ip_address": None,
                "severity": "LOW",
                "action_taken": "RECORDED",
                "details": None,
                "source_db": feed,
                "source_database": "none",
                "source_generation": 1,
                "source_event_id": next(_event_ids),
                "transaction_id": 0,
                "created_at": when,
            },
        )
        for when in created
    ]
    now = datetime.now(UTC)
    with owner.connect() as conn:
        begin_append(conn)
        with conn.cursor() as cur:
            heads = lock_heads(cur, {stream: SECURITY})
            append_chained(cur, SECURITY, COLUMNS[SECURITY], rows, heads)
            save_heads(cur, heads.values(), now)
            # As the ingest does: the batch and the tail it continues are checked in place.
            record_incremental(cur, heads.values(), now, part="pytest")
        conn.commit()
