"""Change capture on a real PostgreSQL: every change to an audited table lands in the outbox
exactly once with the right images and context, DDL is recorded, the machinery protects itself,
and a broken capture refuses changes instead of losing them."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from genims_platform.lib import pg
from genims_platform.lib.errors import CaptureError
from genims_platform.settings import Settings, load_settings
from genims_platform.sources import capture
from genims_platform.sources.contract import apply_contract

pytestmark = pytest.mark.integration

PREFIX = os.environ.get("GENIMS_TEST_PREFIX", "gtest")
APP = "gt-capture-test"
CAPTURE_FAILED = "GC001"
MACHINERY_REFUSED = "GC002"

ORDER_COLUMNS = (
    "sales_order_id, order_number, customer_id, sales_rep_id, factory_id, order_date, "
    "requested_delivery_date, promised_delivery_date, total_amount, status, payment_status"
)


def erp_settings(database: str) -> Settings:
    """Settings whose `erp` source is `database` (erp audits all of its tables)."""
    return load_settings({**os.environ, "PG_DATABASE_ERP": database})


def install(database: str) -> Settings:
    settings = erp_settings(database)
    apply_contract(settings, "erp")
    capture.install_capture(settings, "erp")
    return settings


@pytest.fixture(scope="module")
def erp_db(settings) -> Iterator[tuple[Settings, str]]:
    """One erp database with capture installed, shared by the tests that leave it healthy."""
    name = f"{PREFIX}_cap_{uuid.uuid4().hex[:8]}"
    pg.create_database(settings.pg_primary, name)
    try:
        yield install(name), name
    finally:
        pg.drop_database(settings.pg_primary, name)


@pytest.fixture
def broken_db(scratch_pg) -> tuple[Settings, str]:
    """A database of its own for tests that break capture on purpose."""
    return install(scratch_pg), scratch_pg


def connect(settings: Settings, database: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(
        **pg.conninfo(settings.pg_primary, database, application_name=APP), **kwargs
    )


def mark(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT coalesce(max(event_id), 0) FROM genims.outbox").fetchone()[0]


def events(conn: psycopg.Connection, since: int, *, operation: str | None = None) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT event_id, txid::text AS txid, tx_ts, stmt_ts, captured_at, db_user, app_name, "
            "host(client_addr) AS client_addr, actor, schema_name, table_name, operation, pk, "
            "old_row, new_row, changed_columns FROM genims.outbox_events "
            "WHERE event_id > %s AND (%s::text IS NULL OR operation = %s) ORDER BY event_id",
            (since, operation, operation),
        )
        return cur.fetchall()


def add_orders(conn: psycopg.Connection, first: int, count: int) -> None:
    conn.execute(
        f"INSERT INTO sales_orders ({ORDER_COLUMNS}) "
        "SELECT g, 'SO-' || g, 1, 2, 3, date '2025-01-01', date '2025-01-10', date '2025-01-12', "
        "g * 1.5, 'OPEN', 'UNPAID' FROM generate_series(%s::bigint, %s::bigint) AS g",
        (first, first + count - 1),
    )


def row_json(conn: psycopg.Connection, table: str, where: str, *params) -> dict:
    query = sql.SQL("SELECT to_jsonb(t) FROM {} AS t WHERE ").format(sql.Identifier(table))
    return conn.execute(query + sql.SQL(where), params).fetchone()[0]


def catalog_snapshot(conn: psycopg.Connection) -> list[tuple]:
    """Every trigger, function and relation the install touches, with row versions (xmin)."""
    return conn.execute(
        """
        SELECT 'trigger', t.oid::bigint, t.xmin::text, pg_get_triggerdef(t.oid) || t.tgenabled::text
        FROM pg_trigger AS t WHERE NOT t.tgisinternal
        UNION ALL
        SELECT 'proc', p.oid::bigint, p.xmin::text, p.oid::regprocedure::text
        FROM pg_proc AS p WHERE p.pronamespace = 'genims'::regnamespace
        UNION ALL
        SELECT 'class', c.oid::bigint, c.xmin::text, c.relname::text
        FROM pg_class AS c WHERE c.relnamespace IN ('genims'::regnamespace, 'public'::regnamespace)
        UNION ALL
        SELECT 'event', e.oid::bigint, e.xmin::text, e.evtname || e.evtenabled::text
        FROM pg_event_trigger AS e
        ORDER BY 1, 2
        """
    ).fetchall()


def test_install_is_idempotent_and_reports_what_it_did(erp_db):
    settings, database = erp_db
    with connect(settings, database, autocommit=True) as conn:
        before = catalog_snapshot(conn)
        outbox_before = mark(conn)
    again = capture.install_capture(settings, "erp")
    assert not again.changed
    assert again.summary() == f"{len(again.audited_tables)} audited tables, unchanged"
    assert "sales_orders" in again.audited_tables and "module_settings" in again.audited_tables
    with connect(settings, database, autocommit=True) as conn:
        assert catalog_snapshot(conn) == before  # not one catalogue row rewritten
        assert mark(conn) == outbox_before

    forced = capture.install_capture(settings, "erp", force=True)
    assert not forced.changed and forced.state == "unchanged"
    with connect(settings, database, autocommit=True) as conn:
        after = catalog_snapshot(conn)
        # The script ran (functions replaced in place) but nothing was dropped or recreated.
        assert [(k, oid, d) for k, oid, _x, d in after] == [(k, oid, d) for k, oid, _x, d in before]
        assert [r for r in after if r[0] == "trigger"] == [r for r in before if r[0] == "trigger"]

    status = capture.capture_status(settings, "erp")
    assert status["installed"] and status["ddl_capture"] and status["problems"] == []
    assert all(t["ok"] and t["triggers"] == 4 and t["enabled"] for t in status["tables"])
    assert isinstance(status["horizon"], int) and status["outbox_rows_estimate"] is not None


def test_insert_records_row_pk_context_and_transaction(erp_db):
    settings, database = erp_db
    with connect(settings, database) as conn:
        since = mark(conn)
        conn.commit()
        conn.execute("SELECT set_config('genims.actor', 'alice', true)")
        add_orders(conn, 1, 1)
        conn.execute(
            f"INSERT INTO sales_orders ({ORDER_COLUMNS}) VALUES "
            "(2, 'SO-2', 1, 2, 3, '2025-01-01', '2025-01-10', '2025-01-12', 3, 'OPEN', "
            "'UNPAID'), (3, 'SO-3', 1, 2, 3, '2025-01-01', '2025-01-10', '2025-01-12', "
            "4.5, 'OPEN', 'UNPAID')"
        )
        txid = conn.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
        conn.commit()
        got = events(conn, since)
        rows = {n: row_json(conn, "sales_orders", "sales_order_id = %s", n) for n in (1, 2, 3)}
    assert [(e["operation"], e["pk"]) for e in got] == [
        ("INSERT", {"sales_order_id": n}) for n in (1, 2, 3)
    ]
    for event in got:
        assert event["txid"] == txid
        assert event["new_row"] == rows[event["pk"]["sales_order_id"]]
        assert event["old_row"] is None and event["changed_columns"] is None
        assert (event["schema_name"], event["table_name"]) == ("public", "sales_orders")
        assert event["actor"] == "alice" and event["app_name"] == APP
        assert event["db_user"] == settings.pg_primary.user
        assert event["client_addr"] == "127.0.0.1"
        assert event["tx_ts"] <= event["stmt_ts"] <= event["captured_at"]
    # The multi-row INSERT is one statement: one statement timestamp for its two rows.
    assert got[1]["stmt_ts"] == got[2]["stmt_ts"] != got[0]["stmt_ts"]


def test_update_and_delete_record_old_and_new_images(erp_db):
    settings, database = erp_db
    with connect(settings, database) as conn:
        add_orders(conn, 101, 2)
        conn.commit()
        before = row_json(conn, "sales_orders", "sales_order_id = 101")
        since = mark(conn)
        conn.execute("UPDATE sales_orders SET status = 'CONFIRMED' WHERE sales_order_id = 101")
        update_txid = conn.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
        conn.commit()
        after = row_json(conn, "sales_orders", "sales_order_id = 101")
        conn.execute(
            "DELETE FROM sales_orders WHERE sales_order_id >= 101 AND sales_order_id <= 102"
        )
        conn.execute("UPDATE sales_orders SET status = 'CANCELLED' WHERE sales_order_id = -1")
        conn.commit()
        got = events(conn, since)
    update, *deletes = got
    assert update["operation"] == "UPDATE" and update["txid"] == update_txid
    assert update["pk"] == {"sales_order_id": 101}
    assert update["old_row"] == before and update["new_row"] == after
    # updated_at is kept current by the contract's own trigger, so it changes too.
    assert update["changed_columns"] == ["status", "updated_at"]
    deletes.sort(key=lambda d: d["pk"]["sales_order_id"])
    assert [(d["operation"], d["pk"]) for d in deletes] == [
        ("DELETE", {"sales_order_id": 101}),
        ("DELETE", {"sales_order_id": 102}),
    ]
    assert len(got) == 3  # the UPDATE that matched nothing recorded nothing
    assert deletes[0]["old_row"] == after and deletes[0]["new_row"] is None


def test_truncate_is_one_statement_event(erp_db):
    settings, database = erp_db
    with connect(settings, database) as conn:
        conn.execute(
            "INSERT INTO module_settings (setting_key, setting_value) VALUES ('a', '1'), ('b', '2')"
        )
        conn.commit()
        since = mark(conn)
        conn.execute("TRUNCATE module_settings")
        conn.commit()
        got = events(conn, since)
    assert [
        (e["operation"], e["table_name"], e["pk"], e["old_row"], e["new_row"]) for e in got
    ] == [("TRUNCATE", "module_settings", None, None, None)]


def test_bulk_update_of_10000_rows_pairs_every_old_and_new_image(erp_db):
    settings, database = erp_db
    n = 10_000
    with connect(settings, database) as conn:
        since = mark(conn)
        add_orders(conn, 10_001, n)
        conn.commit()
        assert len(events(conn, since, operation="INSERT")) == n
        # Single-row UPDATEs first, in the same session: a plan cached for one row must not be
        # reused for the bulk statement.
        for order_id in range(10_001, 10_011):
            conn.execute(
                "UPDATE sales_orders SET total_amount = total_amount + 1 WHERE sales_order_id = %s",
                (order_id,),
            )
        conn.commit()
        since = mark(conn)
        conn.execute(
            "UPDATE sales_orders SET total_amount = total_amount * 2 + sales_order_id, "
            "status = 'CONFIRMED' WHERE sales_order_id BETWEEN 10001 AND 20000"
        )
        txid = conn.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
        conn.commit()
        got = events(conn, since)
    assert len(got) == n and {e["operation"] for e in got} == {"UPDATE"}
    assert {e["txid"] for e in got} == {txid}
    seen = set()
    for event in got:
        old, new = event["old_row"], event["new_row"]
        assert old["sales_order_id"] == new["sales_order_id"] == event["pk"]["sales_order_id"]
        assert old["order_number"] == new["order_number"]
        assert new["total_amount"] == pytest.approx(old["total_amount"] * 2 + old["sales_order_id"])
        assert event["changed_columns"] == ["status", "total_amount", "updated_at"]
        seen.add(old["sales_order_id"])
    assert seen == set(range(10_001, 20_001))


def test_update_that_changes_the_primary_key_pairs_by_row(erp_db):
    settings, database = erp_db
    with connect(settings, database) as conn:
        add_orders(conn, 30_001, 500)
        conn.commit()
        since = mark(conn)
        conn.execute(
            "UPDATE sales_orders SET sales_order_id = sales_order_id + 1000000 "
            "WHERE sales_order_id BETWEEN 30001 AND 30500"
        )
        conn.execute(
            "UPDATE sales_orders SET sales_order_id = 30001 WHERE sales_order_id = 1030001"
        )
        conn.commit()
        got = events(conn, since)
    assert len(got) == 501
    for event in got[:500]:
        old, new = event["old_row"], event["new_row"]
        assert new["sales_order_id"] == old["sales_order_id"] + 1_000_000
        assert new["order_number"] == old["order_number"] == f"SO-{old['sales_order_id']}"
        assert event["pk"] == {"sales_order_id": new["sales_order_id"]}
        assert event["changed_columns"] == ["sales_order_id", "updated_at"]
    single = got[500]
    assert (single["old_row"]["sales_order_id"], single["new_row"]["sales_order_id"]) == (
        1_030_001,
        30_001,
    )


def test_upsert_and_composite_keys(erp_db):
    settings, database = erp_db
    with connect(settings, database) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS price_overrides (product_id bigint, currency text, "
            "unit_price numeric(14,4) NOT NULL, PRIMARY KEY (product_id, currency))"
        )
        conn.commit()
    # erp audits every table: a reinstall picks the new one up.
    report = capture.install_capture(settings, "erp")
    assert report.changed and "price_overrides" in report.audited_tables
    with connect(settings, database) as conn:
        since = mark(conn)
        conn.execute("INSERT INTO price_overrides VALUES (7, 'EUR', 1.5), (7, 'USD', 2)")
        conn.execute(
            "INSERT INTO price_overrides VALUES (7, 'EUR', 9) ON CONFLICT (product_id, currency) "
            "DO UPDATE SET unit_price = EXCLUDED.unit_price"
        )
        conn.execute("INSERT INTO price_overrides VALUES (7, 'USD', 1) ON CONFLICT DO NOTHING")
        conn.commit()
        got = events(conn, since)
    assert [(e["operation"], e["pk"]) for e in got] == [
        ("INSERT", {"product_id": 7, "currency": "EUR"}),
        ("INSERT", {"product_id": 7, "currency": "USD"}),
        ("UPDATE", {"product_id": 7, "currency": "EUR"}),
    ]
    assert got[2]["changed_columns"] == ["unit_price"]


def test_ddl_is_recorded_and_capture_follows_the_new_columns(erp_db):
    settings, database = erp_db
    with connect(settings, database) as conn:
        add_orders(conn, 40_001, 1)
        conn.commit()
        since = mark(conn)
        conn.execute("ALTER TABLE approvals ADD COLUMN IF NOT EXISTS channel text DEFAULT 'web'")
        conn.execute("CREATE TABLE scratch_notes (note_id bigint PRIMARY KEY, body text)")
        conn.execute("DROP TABLE scratch_notes")
        conn.execute(
            "INSERT INTO approvals (document_type, document_id, approver_employee_id, status, "
            "submitted_at) VALUES ('PO', 1, 9, 'SUBMITTED', now())"
        )
        conn.commit()
        got = events(conn, since)
    ddl = [
        (e["new_row"]["command_tag"], e["new_row"]["object_identity"])
        for e in got
        if e["operation"] == "DDL"
    ]
    assert ddl == [
        ("ALTER TABLE", "public.approvals"),
        ("CREATE TABLE", "public.scratch_notes"),
        ("CREATE INDEX", "public.scratch_notes_pkey"),
        ("DROP TABLE", "public.scratch_notes"),
    ]
    assert got[0]["table_name"] == "approvals" and got[0]["txid"] == got[-1]["txid"]
    insert = got[-1]
    assert insert["operation"] == "INSERT" and insert["new_row"]["channel"] == "web"


def test_bulk_load_bypass_is_recorded_once_per_table(erp_db):
    settings, database = erp_db
    with connect(settings, database) as conn:
        since = mark(conn)
        conn.execute("SET session_replication_role = replica")
        add_orders(conn, 50_001, 250)
        event_id = conn.execute("SELECT genims.note_bulk_load('sales_orders', 250)").fetchone()[0]
        conn.commit()
        got = events(conn, since)
    assert [(e["event_id"], e["operation"], e["table_name"], e["new_row"]) for e in got] == [
        (event_id, "BULK_LOAD", "sales_orders", {"rows": 250})
    ]
    with connect(settings, database) as conn, pytest.raises(psycopg.errors.UndefinedTable):
        conn.execute("SELECT genims.note_bulk_load('public.no_such_table', 1)")


def test_horizon_holds_back_events_of_open_transactions(erp_db):
    settings, database = erp_db
    with connect(settings, database) as early, connect(settings, database) as late:
        since = mark(late)
        late.commit()
        early.execute("INSERT INTO module_settings VALUES ('early', '1')")
        early_txid = int(early.execute("SELECT pg_current_xact_id()::text").fetchone()[0])
        late.execute("INSERT INTO module_settings VALUES ('late', '1')")
        late_txid = late.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
        late.commit()
        horizon = int(late.execute("SELECT genims.outbox_horizon()::text").fetchone()[0])
        late.commit()
        assert horizon <= early_txid  # the later commit is not final yet
        early.commit()
        assert [e["txid"] for e in events(late, since)] == [str(early_txid), late_txid]
        # Once it has committed the horizon passes it (unless some other transaction of the
        # cluster is older still: the horizon is cluster-wide, hence the patience).
        deadline = time.monotonic() + 30
        while int(late.execute("SELECT genims.outbox_horizon()::text").fetchone()[0]) <= early_txid:
            late.commit()
            assert time.monotonic() < deadline, "horizon never passed a committed transaction"
            time.sleep(0.2)
        late.commit()
        # Delivered events (up to the consumer's cursor, below the horizon) can be purged; the
        # purge is the one delete the append-only guard lets through.
        first = events(late, since)[0]
        purged = late.execute(
            "SELECT genims.outbox_purge(%s::text::xid8, %s)", (first["txid"], first["event_id"])
        ).fetchone()[0]
        late.commit()
        assert purged >= 1
        assert [e["event_id"] for e in events(late, since)] == [first["event_id"] + 1]


def test_capture_machinery_refuses_changes_without_the_maintenance_switch(erp_db):
    settings, database = erp_db
    refused = [
        "ALTER TABLE sales_orders DISABLE TRIGGER genims_capture_upd",
        "ALTER TABLE sales_orders DISABLE TRIGGER ALL",
        "ALTER TABLE sales_orders ENABLE REPLICA TRIGGER genims_capture_ins",
        "DROP TRIGGER genims_capture_del ON sales_orders",
        "ALTER TRIGGER genims_capture_ins ON sales_orders RENAME TO audit_off",
        "DROP TABLE genims.outbox CASCADE",
        "ALTER TABLE genims.outbox DROP COLUMN old_row CASCADE",
        "ALTER TABLE genims.outbox ALTER COLUMN actor SET DEFAULT 'nobody'",
        "CREATE INDEX ON genims.outbox (table_name)",
        "DROP FUNCTION genims.capture_change() CASCADE",
        "CREATE OR REPLACE FUNCTION genims.capture_change() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END $$",
        "DROP SCHEMA genims CASCADE",
        "DROP FUNCTION genims.capture_drop() CASCADE",
        "DROP FUNCTION public.genims_capture_drop_guard() CASCADE",
        "DELETE FROM genims.outbox",
        "UPDATE genims.outbox SET actor = 'mallory'",
        "TRUNCATE genims.outbox",
    ]
    with connect(settings, database) as conn:
        for statement in refused:
            with pytest.raises(psycopg.Error) as info:
                conn.execute(statement)
            conn.rollback()
            assert info.value.sqlstate == MACHINERY_REFUSED, statement
            assert "refused" in str(info.value)
    assert capture.capture_status(settings, "erp")["problems"] == []


def test_maintenance_disable_is_recorded_reported_and_repaired(erp_db):
    settings, database = erp_db
    with connect(settings, database) as conn:
        since = mark(conn)
        conn.execute("SET genims.capture_maintenance = on")
        conn.execute("ALTER TABLE purchase_orders DISABLE TRIGGER genims_capture_upd")
        conn.commit()
        ddl = events(conn, since)
    assert [(e["operation"], e["table_name"]) for e in ddl] == [("DDL", "purchase_orders")]
    status = capture.capture_status(settings, "erp")
    assert status["problems"] == [
        "purchase_orders has disabled capture trigger(s) genims_capture_upd"
    ]
    assert not next(t for t in status["tables"] if t["table"] == "purchase_orders")["ok"]
    report = capture.install_capture(settings, "erp")
    assert report.changed and report.state == "repaired"
    assert capture.capture_status(settings, "erp")["problems"] == []


def test_missing_outbox_refuses_changes_and_ddl_until_repaired(broken_db):
    settings, database = broken_db
    with connect(settings, database) as conn:
        conn.execute("SET genims.capture_maintenance = on")
        conn.execute("DROP TABLE genims.outbox CASCADE")
        conn.commit()
        conn.execute("RESET genims.capture_maintenance")
        conn.commit()
        for statement in (
            f"INSERT INTO sales_orders ({ORDER_COLUMNS}) VALUES (1, 'SO-1', 1, 2, 3, "
            "'2025-01-01', '2025-01-10', '2025-01-12', 3, 'OPEN', 'UNPAID')",
            "TRUNCATE sales_orders CASCADE",
            "ALTER TABLE sales_orders ADD COLUMN note text",
        ):
            with pytest.raises(psycopg.Error) as info:
                conn.execute(statement)
            conn.rollback()
            assert info.value.sqlstate == CAPTURE_FAILED, statement
            assert "change capture could not record" in info.value.diag.message_primary
            assert "genims db init" in info.value.diag.message_hint
        with pytest.raises(psycopg.Error) as info:
            conn.execute("SELECT genims.note_bulk_load('sales_orders', 1)")
        conn.rollback()
        assert info.value.sqlstate == CAPTURE_FAILED
        assert "sales_orders" in str(info.value)
        assert conn.execute("SELECT count(*) FROM sales_orders").fetchone()[0] == 0
    assert (
        "the outbox genims.outbox is missing" in capture.capture_status(settings, "erp")["problems"]
    )
    report = capture.install_capture(settings, "erp")
    assert report.state == "repaired"
    with connect(settings, database) as conn:
        add_orders(conn, 1, 1)
        conn.commit()
        assert [e["operation"] for e in events(conn, 0) if e["operation"] != "DDL"] == ["INSERT"]


def test_outbox_damaged_under_maintenance_is_reported_and_repaired(broken_db):
    settings, database = broken_db
    with connect(settings, database) as conn:
        conn.execute("SET LOCAL genims.capture_maintenance = on")
        conn.execute("DROP INDEX genims.outbox_txid_event_id_idx")
        conn.execute("ALTER TABLE genims.outbox DROP CONSTRAINT outbox_operation_check")
        conn.execute("DROP TRIGGER genims_capture_outbox_guard ON genims.outbox")
        conn.execute("ALTER EVENT TRIGGER genims_capture_ddl DISABLE")
    status = capture.capture_status(settings, "erp")
    assert status["problems"] == [
        "the outbox lacks constraint outbox_operation_check",
        "the outbox lacks its consumer index outbox_txid_event_id_idx",
        "the outbox's append-only guard trigger is missing or not ALWAYS",
        "the DDL event triggers are missing or disabled",
    ]
    assert not status["ddl_capture"]
    assert capture.install_capture(settings, "erp").state == "repaired"
    status = capture.capture_status(settings, "erp")
    assert status["problems"] == [] and status["ddl_capture"]


def test_unwritable_outbox_refuses_the_change(broken_db):
    settings, database = broken_db
    role = f"{PREFIX}_cap_nopriv_{uuid.uuid4().hex[:6]}"
    with connect(settings, database, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        try:
            with conn.transaction():
                conn.execute("SET LOCAL genims.capture_maintenance = on")
                conn.execute(
                    sql.SQL("ALTER FUNCTION genims.capture_change() OWNER TO {}").format(
                        sql.Identifier(role)
                    )
                )
            with pytest.raises(psycopg.Error) as info:
                add_orders(conn, 1, 1)
            assert info.value.sqlstate == CAPTURE_FAILED
            assert "INSERT on public.sales_orders" in info.value.diag.message_primary
            assert conn.execute("SELECT count(*) FROM sales_orders").fetchone()[0] == 0
        finally:
            with conn.transaction():
                conn.execute("SET LOCAL genims.capture_maintenance = on")
                conn.execute("ALTER FUNCTION genims.capture_change() OWNER TO CURRENT_USER")
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_exhausted_outbox_refuses_the_change(broken_db):
    settings, database = broken_db
    with connect(settings, database) as conn:
        add_orders(conn, 1, 1)
        conn.commit()
        # A full outbox: the event_id identity has reached its maximum.
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('genims.outbox', 'event_id'), "
            "9223372036854775807)"
        )
        conn.commit()
        with pytest.raises(psycopg.Error) as info:
            conn.execute("UPDATE sales_orders SET status = 'CONFIRMED'")
        conn.rollback()
        # Not detectable before writing: PostgreSQL's own error refuses the statement, and its
        # context names the capture function.
        assert info.value.sqlstate == "2200H"
        assert "genims.capture_change()" in (info.value.diag.context or "")
        assert conn.execute("SELECT status FROM sales_orders").fetchone()[0] == "OPEN"


def test_tables_without_a_primary_key_are_refused(broken_db):
    settings, database = broken_db
    with connect(settings, database) as conn:
        conn.execute("CREATE TABLE loose_rows (value text)")
        conn.commit()
    with pytest.raises(CaptureError, match="loose_rows cannot be audited: it has no primary key"):
        capture.install_capture(settings, "erp")


def test_status_of_a_database_without_capture(scratch_pg):
    settings = erp_settings(scratch_pg)
    apply_contract(settings, "erp")
    status = capture.capture_status(settings, "erp")
    assert not status["installed"] and status["horizon"] is None
    assert "the outbox genims.outbox is missing" in status["problems"]
    assert not any(t["ok"] for t in status["tables"])


def test_audited_tables_are_declared_for_every_source():
    from genims_platform.catalog import SOURCE_DATABASES

    assert set(capture.AUDITED_TABLES) == set(SOURCE_DATABASES)
    assert all(
        "module_settings" in tables or tables == (capture.ALL_TABLES,)
        for tables in capture.AUDITED_TABLES.values()
    )
    with pytest.raises(CaptureError, match="scada_points"):
        capture.audited_tables("operations", ["module_settings"])
    assert capture.audited_tables("hr", ["b", "a"]) == ["a", "b"]
