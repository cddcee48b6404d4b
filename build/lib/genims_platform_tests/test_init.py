"""`genims db init`: idempotent set-up of the 16 databases, and clear errors on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from genims_platform.bootstrap import init_all
from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES
from genims_platform.lib import mysql, pg
from genims_platform.lib.errors import DatabaseUnavailableError
from genims_platform.settings import load_settings

pytestmark = pytest.mark.integration

CATALOG_SNAPSHOT = """
SELECT 'table', c.relname, '' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'genims') AND c.relkind IN ('r', 'i', 'S', 'v')
UNION ALL
SELECT 'column', c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'genims') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, tgenabled::text
  FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'function', p.oid::regprocedure::text, md5(p.prosrc) FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'genims')
ORDER BY 1, 2
"""


def _fresh_env(tag: str) -> dict[str, str]:
    env = dict(os.environ)
    for logical in SOURCE_DATABASES:
        env[f"PG_DATABASE_{logical.upper()}"] = f"gt_{tag}_{logical}"
    for logical in TARGET_DATABASES:
        env[f"MYSQL_{logical.upper()}_DB"] = f"gt_{tag}_{logical}"
    return env


def _snapshot(settings) -> dict[str, list[tuple]]:
    snap = {}
    for logical in SOURCE_DATABASES:
        with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
            snap[logical] = conn.execute(CATALOG_SNAPSHOT).fetchall()
    for logical in TARGET_DATABASES:
        target = settings.target(logical)
        with mysql.connect(target) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT table_name, column_name, column_type FROM information_schema.columns "
                "WHERE table_schema = %s ORDER BY 1, 2",
                (target.database,),
            )
            columns = cur.fetchall()
            cur.execute("SELECT version, checksum, applied_at FROM schema_migrations ORDER BY 1")
            snap[logical] = [*columns, *cur.fetchall()]
    return snap


@pytest.fixture
def fresh_settings():
    """Settings naming 16 databases that do not exist yet; dropped afterwards."""
    settings = load_settings(_fresh_env(uuid.uuid4().hex[:6]))
    yield settings
    for logical in SOURCE_DATABASES:
        pg.drop_database(settings.pg_primary, settings.source_db(logical))
    for logical in TARGET_DATABASES:
        target = settings.target(logical)
        with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(target.database)}")


def test_init_creates_everything_then_a_second_run_changes_nothing(fresh_settings):
    first = init_all(fresh_settings)
    assert first.changed
    assert all(s.created for s in first.sources) and all(t.created for t in first.targets)
    before = _snapshot(fresh_settings)
    assert all(before[logical] for logical in SOURCE_DATABASES)

    second = init_all(fresh_settings)
    assert not second.changed, second.lines()
    assert _snapshot(fresh_settings) == before

    # Even re-executing every statement (--force) leaves the catalogue as it was.
    init_all(fresh_settings, force=True)
    after_force = _snapshot(fresh_settings)
    for logical in SOURCE_DATABASES:
        assert after_force[logical] == before[logical], logical


def test_target_databases_are_utf8mb4(initialized):
    target = initialized.target("reporting")
    with mysql.connect(target) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA "
            "WHERE SCHEMA_NAME IN (%s, %s, %s)",
            tuple(initialized.target(t).database for t in TARGET_DATABASES),
        )
        assert [row[0] for row in cur.fetchall()] == ["utf8mb4"] * 3


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genims_platform.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"PG_MASTER_PORT": "1"}, "check PG_MASTER_HOST and PG_MASTER_PORT"),
        ({"PG_MASTER_USER": "no_such_role"}, "check PG_MASTER_USER and PG_MASTER_PASSWORD"),
        (
            {"MYSQL_REPORTING_PASSWORD": "wrong-password-123"},
            "check MYSQL_REPORTING_USER and MYSQL_REPORTING_PASSWORD",
        ),
        ({"MYSQL_AUDIT_PORT": "1"}, "check MYSQL_AUDIT_HOST and MYSQL_AUDIT_PORT"),
    ],
)
def test_bad_connection_settings_fail_clearly_and_create_nothing(override, expected):
    fresh = _fresh_env(uuid.uuid4().hex[:6])
    result = _cli("db", "init", env=fresh | override)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    for value in override.values():
        if "password" in value:
            assert value not in result.stderr + result.stdout
    # The preflight stopped init before anything was created.
    check = load_settings(fresh)
    assert not any(
        pg.database_exists(check.pg_primary, check.source_db(logical))
        for logical in SOURCE_DATABASES
    )
    with mysql.connect(check.target("reporting"), database=None) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (%s, %s, %s)",
            tuple(check.target(t).database for t in TARGET_DATABASES),
        )
        assert cur.fetchone()[0] == 0


def test_unknown_logical_name_is_rejected_by_the_cli():
    result = _cli("db", "init", "--source", "planning", env=dict(os.environ))
    assert result.returncode != 0
    assert "unknown source database 'planning'" in result.stderr


def test_missing_source_database_names_the_setting(settings):
    missing = load_settings({"PG_DATABASE_ERP": "gt_missing_erp_db"})
    with pytest.raises(DatabaseUnavailableError) as info:
        with pg.connect(missing.pg_primary, missing.source_db("erp"), logical="erp"):
            pass
    message = str(info.value)
    assert "gt_missing_erp_db" in message and "PG_DATABASE_ERP" in message
    assert "genims db init" in message


def test_missing_target_database_names_the_setting():
    missing = load_settings({"MYSQL_ANALYTICS_DB": "gt_missing_analytics"})
    with pytest.raises(DatabaseUnavailableError) as info:
        with mysql.connect(missing.target("analytics")):
            pass
    assert "MYSQL_ANALYTICS_DB" in str(info.value)
