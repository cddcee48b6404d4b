"""Exactly-once ingest from the outboxes: out-of-order commits, concurrent writers, content of
the rows, login events and the suspicious-pattern rule."""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from genims_platform.audit.ingest import ingest_source
from genims_platform.lib import pg
from genims_platform_tests.audit.conftest import (
    audited_ids,
    drain,
    insert_setting,
    outbox_ids,
    source,
)

pytestmark = pytest.mark.integration


def _wait_until(predicate, timeout: float = 60.0, every: float = 0.2) -> None:
    """Other sessions on the shared cluster may hold the xid8 horizon back for a moment."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(every)


def _event_id_of(conn: psycopg.Connection, key: str) -> int:
    """The outbox event of the insert of `key`, seen from inside its own transaction."""
    row = conn.execute(
        "SELECT event_id FROM genims.outbox WHERE table_name = 'module_settings' "
        "AND operation = 'INSERT' AND new_row ->> 'setting_key' = %s",
        (key,),
    ).fetchone()
    return row[0]


def test_out_of_order_commit_arrives_exactly_once(audit_settings, owner, ingest_db):
    settings = audit_settings
    drain(settings, ingest_db, ["crm"])
    k1, k2 = f"t1-{uuid.uuid4().hex[:8]}", f"t2-{uuid.uuid4().hex[:8]}"
    database = settings.source_db("crm")
    t1 = psycopg.connect(**pg.conninfo(settings.pg_primary, database))
    t2 = psycopg.connect(**pg.conninfo(settings.pg_primary, database))
    try:
        insert = (
            "INSERT INTO module_settings (setting_key, setting_value, updated_by) "
            "VALUES (%s, 'v', 'pytest')"
        )
        t1.execute(insert, (k1,))  # T1 takes the lower event id ...
        e1 = _event_id_of(t1, k1)
        t2.execute(insert, (k2,))
        e2 = _event_id_of(t2, k2)
        assert e1 < e2
        t2.commit()  # ... but T2 commits first
        drain(settings, ingest_db, ["crm"])  # a poll between the two commits
        # T1 still runs: the horizon stops the feed before T2's event, so no cursor moves past T1.
        assert e1 not in audited_ids(owner, "crm")
        t1.commit()
    finally:
        t1.close()
        t2.close()

    def both_in() -> bool:
        drain(settings, ingest_db, ["crm"])
        ids = audited_ids(owner, "crm")
        return e1 in ids and e2 in ids

    _wait_until(both_in)
    ids = audited_ids(owner, "crm")
    assert ids.count(e1) == 1 and ids.count(e2) == 1


def _writer(settings, logical: str, stop: threading.Event, seed: int, errors: list) -> None:
    rng = random.Random(seed)
    database = settings.source_db(logical)
    try:
        with psycopg.connect(**pg.conninfo(settings.pg_primary, database)) as conn:
            while not stop.is_set():
                statements = rng.randint(1, 4)
                for _ in range(statements):
                    key = f"r{seed}-{rng.randrange(40)}"
                    conn.execute(
                        "INSERT INTO module_settings (setting_key, setting_value, updated_by) "
                        "VALUES (%s, %s, 'writer') ON CONFLICT (setting_key) DO UPDATE "
                        "SET setting_value = EXCLUDED.setting_value",
                        (key, str(rng.random())),
                    )
                    if rng.random() < 0.3:
                        time.sleep(rng.random() * 0.05)  # keep the transaction open a while
                if rng.random() < 0.15:
                    conn.rollback()
                else:
                    conn.commit()
    except Exception as error:
        errors.append(error)


def test_concurrent_writers_with_polls_lose_and_duplicate_nothing(audit_settings, owner, ingest_db):
    settings = audit_settings
    logicals = ["erp", "hr", "supplier"]
    stop = threading.Event()
    errors: list = []
    writers = [
        threading.Thread(target=_writer, args=(settings, logicals[i % 3], stop, i, errors))
        for i in range(6)
    ]
    for w in writers:
        w.start()
    deadline = time.monotonic() + 8
    polls = 0
    while time.monotonic() < deadline:
        for logical in logicals:
            result = ingest_source(source(settings, logical), ingest_db, logical, batch_size=97)
            assert result.error is None, result.error
        polls += 1
    stop.set()
    for w in writers:
        w.join()
    assert not errors, errors

    def complete() -> bool:
        drain(settings, ingest_db, logicals)
        return all(outbox_ids(settings, lg) == audited_ids(owner, lg) for lg in logicals)

    _wait_until(complete)
    for logical in logicals:
        expected = outbox_ids(settings, logical)
        got = audited_ids(owner, logical)
        assert len(got) == len(set(got)), "duplicates"
        assert set(expected) == set(got), "missing or extra events"
    assert polls > 3


def test_rows_of_an_update(audit_settings, owner, ingest_db):
    settings = audit_settings
    key = f"upd-{uuid.uuid4().hex[:8]}"
    insert_setting(settings, "financial", key, "before")
    with pg.connect(settings.pg_primary, settings.source_db("financial")) as conn:
        conn.execute("SELECT set_config('genims.actor', 'alice@genims', true)")
        conn.execute(
            "UPDATE module_settings SET setting_value = 'after' WHERE setting_key = %s", (key,)
        )

    def updated() -> bool:
        drain(settings, ingest_db, ["financial"])
        return bool(
            owner.query(
                "SELECT 1 FROM system_audit_log WHERE source_db = 'financial' "
                "AND entity_id = %s AND operation = 'UPDATE'",
                (key,),
            )
        )

    _wait_until(updated)
    row = owner.query(
        "SELECT user_id, changed_columns, JSON_VALUE(old_values, '$.setting_value'), "
        "JSON_VALUE(new_values, '$.setting_value') FROM system_audit_log "
        "WHERE source_db = 'financial' AND entity_id = %s AND operation = 'UPDATE'",
        (key,),
    )[0]
    assert row[0] == "alice@genims"
    assert "setting_value" in row[1] and "updated_at" in row[1]
    assert row[2:] == ("before", "after")
    changes = owner.query(
        "SELECT column_name, old_value, new_value FROM data_change_audit "
        "WHERE source_db = 'financial' AND primary_key = %s ORDER BY column_name",
        (key,),
    )
    assert ("setting_value", "before", "after") in changes
    assert {c[0] for c in changes} == {"setting_value", "updated_at"}


def test_money_movements_reach_financial_transaction_audit(audit_settings, owner, ingest_db):
    settings = audit_settings
    with pg.connect(settings.pg_primary, settings.source_db("erp")) as conn:
        order = conn.execute(
            "INSERT INTO sales_orders (sales_order_id, order_number, customer_id, sales_rep_id, "
            "factory_id, order_date, requested_delivery_date, promised_delivery_date, "
            "total_amount, status, payment_status) VALUES (%s, %s, 42, 1, 1, current_date, "
            "current_date, current_date, 1234.50, 'OPEN', 'UNPAID') RETURNING sales_order_id",
            (random.randrange(10**9, 2 * 10**9), f"SO-{uuid.uuid4().hex[:10]}"),
        ).fetchone()[0]
        conn.execute(
            "UPDATE sales_orders SET total_amount = 999.99 WHERE sales_order_id = %s", (order,)
        )

    def found():
        drain(settings, ingest_db, ["erp"])
        return owner.query(
            "SELECT operation, amount, previous_amount, account_id, currency, approval_status "
            "FROM financial_transaction_audit WHERE financial_transaction_id = %s "
            "ORDER BY stream_seq",
            (f"sales_orders:{order}",),
        )

    _wait_until(lambda: len(found()) == 2)
    rows = found()
    assert [r[0] for r in rows] == ["INSERT", "UPDATE"]
    assert str(rows[0][1]) == "1234.50" and rows[0][2] is None
    assert (str(rows[1][1]), str(rows[1][2])) == ("999.99", "1234.50")
    assert rows[1][3:] == ("42", "USD", "UNPAID")


def test_logins_failures_and_one_alert_for_five_failures_in_ten_minutes(
    audit_settings, owner, ingest_db
):
    settings = audit_settings
    user = f"mallory-{uuid.uuid4().hex[:6]}"
    start = datetime.now(UTC) - timedelta(hours=1)
    insert = (
        "INSERT INTO user_login_events (username, event_ts, event_type, success, "
        "failure_reason, ip_address, user_agent, application) VALUES "
        "(%s, %s, %s, %s, %s, '10.0.0.9', 'curl', 'erp-portal')"
    )
    with pg.connect(settings.pg_primary, settings.source_db("master")) as conn:
        conn.execute(insert, (user, start, "LOGIN", True, None))
        for minute in (1, 2, 3, 4):
            conn.execute(
                insert, (user, start + timedelta(minutes=minute), "LOGIN_FAILED", False, "bad pw")
            )
    drain(settings, ingest_db, ["master"])  # four failures: no alert yet
    with pg.connect(settings.pg_primary, settings.source_db("master")) as conn:
        for minute in (5, 6, 30):  # the 5th (alert), the 6th (same window), one much later
            conn.execute(
                insert, (user, start + timedelta(minutes=minute), "LOGIN_FAILED", False, "bad pw")
            )

    def counts():
        drain(settings, ingest_db, ["master"])
        rows = owner.query(
            "SELECT event_type, COUNT(*) FROM security_event_log WHERE username = %s "
            "GROUP BY event_type",
            (user,),
        )
        return dict(rows)

    _wait_until(lambda: counts().get("AUTH_FAILURE") == 7)
    assert counts() == {"AUTH_FAILURE": 7, "SUSPICIOUS_ACTIVITY": 1}
    activity = owner.query(
        "SELECT action, success FROM user_activity_log WHERE username = %s ORDER BY "
        "activity_timestamp",
        (user,),
    )
    assert activity[0] == ("LOGIN", "YES")
    assert len(activity) == 8 and all(a == ("LOGIN_FAILED", "NO") for a in activity[1:])


def test_pipelined_backlog_is_complete_and_verifies(audit_settings, owner, ingest_db):
    """A backlog larger than one batch goes through the pipelined path (batch k+1 read and
    chained while batch k is written)."""
    from genims_platform.audit.verify import verify_all

    settings = audit_settings
    prefix = f"bulk-{uuid.uuid4().hex[:6]}"
    with pg.connect(settings.pg_primary, settings.source_db("hr")) as conn:
        conn.execute(
            "INSERT INTO module_settings (setting_key, setting_value, updated_by) "
            "SELECT %s || g, 'v', 'bulk' FROM generate_series(1, 3000) AS g",
            (prefix,),
        )

    def complete() -> bool:
        result = ingest_source(source(settings, "hr"), ingest_db, "hr", batch_size=250)
        assert result.error is None, result.error
        return outbox_ids(settings, "hr") == audited_ids(owner, "hr")

    _wait_until(complete)
    with owner.connect() as conn:
        report = verify_all(conn, tables=["system_audit_log"])
    mine = [s for s in report.streams if s.stream_id == "system_audit_log/hr"]
    assert mine and mine[0].problems == []
