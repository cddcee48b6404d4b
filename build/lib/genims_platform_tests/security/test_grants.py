"""The ETL's read-only login on the sources: created by `genims db init`, enough for the ETL,
the source observations and the audit ingest, and unable to write anything."""

from __future__ import annotations

import os
import secrets
import uuid

import psycopg
import pytest
from psycopg import sql

from genims_platform.bootstrap import init_all
from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib import pg
from genims_platform.settings import PgServer, load_settings
from genims_platform_tests import harness
from genims_platform_tests.security.rows import DAY, customers, orders

pytestmark = pytest.mark.integration

READER = "gt_sec_reader"


@pytest.fixture(scope="module")
def reader(initialized):
    password = f"gtSecReader+{secrets.token_hex(6)}/pw="
    env = {**os.environ, "PG_ETL_USER": READER, "PG_ETL_PASSWORD": password}
    settings = load_settings(env)
    report = init_all(settings, targets=[])
    yield settings, report, password
    for logical in SOURCE_DATABASES:
        with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(READER)))
    with pg.connect(settings.pg_primary, "postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(READER)))


def _as_reader(settings) -> PgServer:
    base = settings.pg_primary
    return PgServer(base.host, base.port, READER, settings.etl_reader.password, base.sslmode)


def test_init_creates_a_login_that_cannot_do_more_than_log_in(reader):
    settings, report, password = reader
    assert f"reader  {READER}: read-only on 13 source database(s)" in report.lines()
    with pg.connect(settings.pg_primary, "postgres") as conn:
        row = conn.execute(
            "SELECT r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole, "
            "r.rolreplication, r.rolbypassrls, r.rolconfig, a.rolpassword "
            "FROM pg_roles AS r JOIN pg_authid AS a ON a.oid = r.oid WHERE r.rolname = %s",
            (READER,),
        ).fetchone()
    assert row[:6] == (True, False, False, False, False, False)
    assert "default_transaction_read_only=on" in row[6]
    # Only a SCRAM verifier reached the server, never the password itself.
    assert row[7].startswith("SCRAM-SHA-256$") and password not in row[7]


@pytest.mark.parametrize("logical", sorted(SOURCE_DATABASES))
def test_the_login_reads_every_source_table_and_writes_none(reader, logical):
    settings, _, _ = reader
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        rows = conn.execute(
            "SELECT c.relname, has_table_privilege(%(r)s, c.oid, 'SELECT'), "
            "has_table_privilege(%(r)s, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, "
            "TRIGGER') FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')",
            {"r": READER},
        ).fetchall()
        outbox = conn.execute(
            "SELECT has_table_privilege(%(r)s, 'genims.outbox', 'SELECT'), "
            "has_table_privilege(%(r)s, 'genims.outbox', 'INSERT, UPDATE, DELETE, TRUNCATE'), "
            "has_function_privilege(%(r)s, 'genims.outbox_purge(xid8, bigint)', 'EXECUTE'), "
            "has_database_privilege(%(r)s, current_database(), 'CREATE')",
            {"r": READER},
        ).fetchone()
    assert rows and all(can_read for _, can_read, _ in rows)
    assert not any(can_write for _, _, can_write in rows)
    assert outbox == (True, False, False, False)


def test_writes_fail_even_when_the_session_turns_read_only_off(reader):
    settings, _, _ = reader
    with pg.connect(_as_reader(settings), settings.source_db("crm"), autocommit=True) as conn:
        assert conn.execute("SHOW default_transaction_read_only").fetchone()[0] == "on"
        conn.execute("SET default_transaction_read_only = off")
        attempts = [
            "INSERT INTO module_settings (setting_key, setting_value, description, updated_by) "
            "VALUES ('x', 'y', 'z', 'w')",
            "UPDATE module_settings SET setting_value = 'x'",
            "DELETE FROM genims.outbox",
            "TRUNCATE module_settings",
            "CREATE TABLE public.gt_sec_intruder (id int)",
            "SELECT genims.outbox_purge('0'::xid8, 0)",
        ]
        for statement in attempts:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_tables_added_later_are_readable(reader):
    settings, _, _ = reader
    name = f"gt_sec_later_{uuid.uuid4().hex[:6]}"
    with pg.connect(settings.pg_primary, settings.source_db("erp")) as conn:
        conn.execute(sql.SQL("CREATE TABLE {} (id int)").format(sql.Identifier(name)))
    try:
        with pg.connect(_as_reader(settings), settings.source_db("erp")) as conn:
            assert conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))
            ).fetchone() == (0,)
    finally:
        with pg.connect(settings.pg_primary, settings.source_db("erp")) as conn:
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))


def test_the_etl_and_the_audit_ingest_work_as_the_reader(reader, monkeypatch):
    from genims_platform.audit.ingest import audit_database, ingest_source, source_resource
    from genims_platform.sources.assets import observe_database

    settings, _, password = reader
    marker = f"reader-{uuid.uuid4().hex[:8]}"
    with pg.connect(settings.pg_primary, settings.source_db("crm")) as conn:
        conn.execute(
            "INSERT INTO module_settings (setting_key, setting_value, description, updated_by) "
            "VALUES (%s, 'v', 'reader test', 'pytest')",
            (marker,),
        )
    harness.clear(settings, "master", ["customers"])
    harness.clear(settings, "erp", ["sales_orders"])
    harness.put(settings, "master", "customers", customers({1: "Acme"}))
    harness.put(settings, "erp", "sales_orders", orders([1]))
    monkeypatch.setenv("PG_MASTER_USER", READER)
    monkeypatch.setenv("PG_MASTER_PASSWORD", password)
    as_reader = load_settings()
    assert as_reader.pg_primary.user == READER
    result = harness.materialize(harness.defs(), "reporting", "sales_by_customer", day=DAY)
    assert result.success
    published = harness.published(settings, "reporting", "sales_by_customer", "date = %s", (DAY,))
    assert list(published["customer_name"]) == ["Acme"]
    source = source_resource(as_reader, "crm")
    ingested = ingest_source(source, audit_database(as_reader, role=None), "crm")
    assert ingested.error is None and ingested.events >= 1
    observed = observe_database(source_resource(as_reader, "erp"), "erp", ["sales_orders"])
    assert set(observed) == {"sales_orders"}
    with pg.connect(settings.pg_primary, "postgres") as conn:
        seen = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = %s", (READER,)
        ).fetchone()[0]
    assert seen >= 1  # the pooled sessions of the runs above belong to the reader
