"""Retention against the real servers: audit rows past their period are archived (Azurite) and
purged by the retention account, held rows wait for the release, verification stays valid and
still catches tampering; reporting partitions past the horizon are deleted; a dry run changes
nothing and predicts the real run exactly."""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pymysql
import pytest

from genims_platform.audit import verify
from genims_platform.audit.canonical import row_hash
from genims_platform.audit.events import SECURITY
from genims_platform.lib.blob import AzureBlobStore, MemoryBlobStore
from genims_platform.lib.schema import table_schema
from genims_platform.operations.archive import read_archive
from genims_platform.operations.legal_holds import HoldRequest, place_hold, release_holds
from genims_platform.operations.retention import (
    RetentionRequest,
    dedicated_connection,
    run_retention,
)
from genims_platform_tests.operations.conftest import rt_append_events

pytestmark = pytest.mark.integration

ACCESS_DENIED = 1142
RETENTION_DAYS = 2555


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _old(days: int = 0, hours: int = 0) -> datetime:
    """A creation time well past the 7-year retention period: noon of a day `days` before
    the first such day, minus `hours` (at most 11: the same day)."""
    day = (_now() - timedelta(days=RETENTION_DAYS + 400 + days)).date()
    return datetime.combine(day, time(12)) - timedelta(hours=hours)


def _stream(tag: str) -> str:
    return f"{SECURITY}/rt{tag}{uuid.uuid4().hex[:8]}"


def _run(
    db,
    store,
    streams,
    *,
    dry_run=False,
    container="gt-rt-archive",
    reporting=None,
    targets=("audit",),
    tables=(SECURITY,),
    chunk_rows=2,
):
    return run_retention(
        db,
        reporting,
        store,
        chunk_rows=chunk_rows,
        reporting_months=12,
        archive_container=container,
        backup_container="gt-rt-backups",
        request=RetentionRequest(dry_run=dry_run, targets=targets, tables=tables),
        run_id=f"test-{uuid.uuid4().hex[:12]}",
        performed_by="pytest retention",
        streams=(lambda s: s in streams) if streams is not None else None,
    )


def _rows(db, stream: str) -> list[dict]:
    rows = db.query(
        f"SELECT stream_seq, previous_hash_sha256, hash_sha256, canonical_payload, created_at "
        f"FROM {SECURITY} WHERE stream_id = %s ORDER BY stream_seq",
        (stream,),
    )
    return [
        {"seq": int(r[0]), "prev": r[1], "hash": r[2], "payload": r[3], "created": r[4]}
        for r in rows
    ]


def _problems(db, table: str, streams) -> list[str]:
    with db.connect() as conn:
        report = verify.verify_all(conn, tables=[table])
    return [p for s in report.streams if s.stream_id in streams for p in s.problems]


def _schedule(db, run_id: str) -> list[tuple]:
    return db.query(
        "SELECT table_name, deletion_status, rows_affected, archive_location, archive_sha256, "
        "hold_ids, performed_by, details FROM data_retention_schedule WHERE run_id = %s "
        "ORDER BY stream_seq",
        (run_id,),
    )


def _place(owner, **kw) -> list:
    request = HoldRequest(
        legal_matter_id=kw.pop("matter", f"matter-{uuid.uuid4().hex[:6]}"),
        case_name=kw.pop("case_name", "Acme v. GenIMS"),
        reason=kw.pop("reason", "litigation"),
        **kw,
    )
    with dedicated_connection(owner) as conn:
        return place_hold(conn, request, performed_by="pytest counsel")


def _release(owner, holds) -> None:
    with dedicated_connection(owner) as conn:
        release_holds(
            conn, hold_ids=[h.hold_id for h in holds], reason="matter closed", performed_by="pytest"
        )


def test_expired_rows_are_archived_then_purged_and_held_rows_wait_for_release(
    rt_owner, rt_retention_db, rt_settings
):
    a, b = _stream("a"), _stream("b")
    rt_append_events(rt_owner, a, [_old(hours=3), _old(hours=2), _old(hours=1)])
    rt_append_events(rt_owner, a, [_now() - timedelta(days=2), _now() - timedelta(days=1)])
    rt_append_events(rt_owner, b, [_old(days=1), _old(days=1, hours=-1)])
    before_a = _rows(rt_owner, a)
    holds = _place(rt_owner, streams=(b,))
    store = AzureBlobStore(rt_settings.azure_connection_string)
    container = f"gt-rt-archive-{uuid.uuid4().hex[:8]}"

    report = _run(rt_retention_db, store, {a, b}, container=container)

    assert [r["seq"] for r in _rows(rt_owner, a)] == [4, 5]
    assert [r["seq"] for r in _rows(rt_owner, b)] == [1, 2]
    assert report.rows("PURGED") == 3 and report.rows("HELD") == 2 and not report.failed
    statuses = [(row[0], row[1], row[2]) for row in _schedule(rt_owner, report.run_id)]
    assert statuses == [
        (SECURITY, "PLANNED", 3),
        (SECURITY, "ARCHIVED", 3),
        (SECURITY, "PURGED", 3),
        (SECURITY, "HELD", 2),
    ]
    held = _schedule(rt_owner, report.run_id)[3]
    assert held[5] == str(holds[0].hold_id)
    assert f"as {rt_retention_db.user}" in held[6]

    archived = next(a_ for a_ in report.actions if a_.status == "ARCHIVED")
    blob_container, _, name = archived.archive_location.partition("/")
    assert blob_container == container
    data = store.get(container, name)
    digest = hashlib.sha256(data).hexdigest()
    assert digest == store.info(container, name).sha256 == archived.archive_sha256
    document = rt_owner.query(
        "SELECT document_type, action, sha256, size_bytes FROM document_retention_log "
        "WHERE document_id = %s",
        (archived.archive_location,),
    )
    assert document == [("AUDIT_ARCHIVE", "CREATED", digest, len(data))]
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    assert [json.loads(line)["stream_seq"] for line in lines] == [1, 2, 3]
    archived_rows = list(read_archive(data))
    assert [
        (r.stream_id, r.stream_seq, r.previous_hash, r.hash, r.payload) for r in archived_rows
    ] == [(a, r["seq"], r["prev"], r["hash"], r["payload"]) for r in before_a[:3]]
    for row in archived_rows:
        assert row_hash(row.stream_id, row.stream_seq, row.previous_hash, row.payload) == row.hash

    assert _problems(rt_owner, SECURITY, {a, b}) == []
    checkpoint = rt_owner.query(
        "SELECT audit_log_id, head_hash_sha256 FROM audit_trail_integrity "
        "WHERE verification_type = 'RETENTION_CHECKPOINT' AND verified_stream = %s "
        "ORDER BY audit_log_id",
        (a,),
    )
    assert checkpoint == [(2, before_a[1]["hash"]), (3, before_a[2]["hash"])]  # chunks of 2

    _release(rt_owner, holds)
    again = _run(rt_retention_db, store, {a, b}, container=container)
    assert again.rows("PURGED") == 2 and again.rows("HELD") == 0
    assert _rows(rt_owner, b) == []
    assert [r["seq"] for r in _rows(rt_owner, a)] == [4, 5]
    assert _problems(rt_owner, SECURITY, {a, b}) == []
    with rt_owner.connect() as conn:
        chained = verify.verify_all(
            conn, tables=["data_retention_schedule", "legal_hold_records", verify.INTEGRITY]
        )
    assert chained.status == "VALID", chained.all_problems


def test_purge_stops_at_the_first_held_row_and_resumes_after_release(rt_owner, rt_retention_db):
    c = _stream("c")
    created = [_old(days=9), _old(days=8), _old(days=7), _old(days=6)]
    rt_append_events(rt_owner, c, created)
    holds = _place(rt_owner, tables=(SECURITY,), covers_from=created[1], covers_to=created[1])
    store = MemoryBlobStore()
    report = _run(rt_retention_db, store, {c})
    assert [r["seq"] for r in _rows(rt_owner, c)] == [2, 3, 4]
    held = [a for a in report.actions if a.status == "HELD"]
    assert sum(a.details["under_hold"] for a in held) == 1
    assert sum(a.details["behind_hold"] for a in held) == 2
    assert {h for a in held for h in a.hold_ids} == {holds[0].hold_id}
    # The trigger enforces the hold on its own, whatever the job would do.
    with dedicated_connection(rt_retention_db) as conn, conn.cursor() as cur:
        cur.execute("SET @genims_retention_purge = 'on'")
        with pytest.raises(pymysql.err.OperationalError, match="legal hold"):
            cur.execute(f"DELETE FROM {SECURITY} WHERE stream_id = %s AND stream_seq = 2", (c,))
    _release(rt_owner, holds)
    again = _run(rt_retention_db, store, {c})
    assert again.rows("PURGED") == 3
    assert _rows(rt_owner, c) == []
    assert _problems(rt_owner, SECURITY, {c}) == []


def _fingerprint(db, tables: list[str], *, heads: bool = True) -> dict:
    out = {}
    with db.connect() as conn, conn.cursor() as cur:
        for table in tables:
            cur.execute(f"CHECKSUM TABLE `{table}`")
            out[table] = cur.fetchone()[1]
        if heads:
            cur.execute("SELECT stream_id, last_seq, last_hash, row_count FROM audit_chain_head")
            out["heads"] = [
                h for h in sorted(cur.fetchall()) if not h[0].startswith("data_retention_schedule/")
            ]
    return out


def _fill_reporting(db, table: str, column: str, days: list[date], rows_per_day: int = 1):
    """Rows with every NOT NULL column filled, dated `days`."""
    schema = table_schema("reporting", table)
    values = {}
    for col in schema.columns:
        if col.name == column or col.nullable:
            continue
        base = col.base_type
        if base in ("DATE",):
            values[col.name] = date(2020, 1, 1)
        elif base in ("DATETIME", "TIMESTAMP"):
            values[col.name] = datetime(2020, 1, 1)
        elif base in ("CHAR", "VARCHAR", "TEXT", "MEDIUMTEXT", "ENUM"):
            values[col.name] = "x"
        else:
            values[col.name] = Decimal(0) if base == "DECIMAL" else 0
    key = next(c for c in schema.grain if c != column)
    names = [column, *values]
    with db.connect() as conn, conn.cursor() as cur:
        for day in days:
            for n in range(rows_per_day):
                row = {**values, column: day, key: n + 1}
                cur.execute(
                    f"INSERT INTO `{table}` ({', '.join(f'`{c}`' for c in names)}) "
                    f"VALUES ({', '.join(['%s'] * len(names))})",
                    [row[c] for c in names],
                )
        conn.commit()


def _twelve_months_ago(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def test_reporting_partitions_older_than_the_horizon_are_deleted(
    rt_owner, rt_retention_db, rt_reporting_db
):
    today = rt_owner.scalar("SELECT UTC_DATE()")
    keep = _twelve_months_ago(today)
    daily = [keep - timedelta(days=40), keep - timedelta(days=1), keep, today]
    _fill_reporting(rt_reporting_db, "machine_performance_daily", "date", daily, rows_per_day=5)
    first = keep.replace(day=1)
    before = (first - timedelta(days=1)).replace(day=1)
    monthly = [(before - timedelta(days=1)).replace(day=1), before, first, today.replace(day=1)]
    _fill_reporting(rt_reporting_db, "sales_forecast_actuals", "period_month", monthly)

    report = _run(
        rt_retention_db,
        MemoryBlobStore(),
        None,
        reporting=rt_reporting_db,
        targets=("reporting",),
        tables=("machine_performance_daily", "sales_forecast_actuals"),
    )

    left = rt_reporting_db.query(
        "SELECT date, COUNT(*) FROM machine_performance_daily GROUP BY date ORDER BY date"
    )
    assert left == [(keep, 5), (today, 5)]
    months = rt_reporting_db.query(
        "SELECT period_month FROM sales_forecast_actuals ORDER BY period_month"
    )
    assert [m[0] for m in months] == sorted({first, today.replace(day=1)})
    purged = {(a.table, a.status): a for a in report.actions if a.status in ("PLANNED", "PURGED")}
    assert purged[("machine_performance_daily", "PURGED")].rows == 10
    assert purged[("machine_performance_daily", "PURGED")].details["partitions"] == {
        (keep - timedelta(days=40)).isoformat(): 5,
        (keep - timedelta(days=1)).isoformat(): 5,
    }
    assert purged[("sales_forecast_actuals", "PURGED")].rows == 2
    recorded = _schedule(rt_owner, report.run_id)
    assert sorted((r[0], r[1], r[2]) for r in recorded) == [
        ("machine_performance_daily", "PLANNED", 10),
        ("machine_performance_daily", "PURGED", 10),
        ("sales_forecast_actuals", "PLANNED", 2),
        ("sales_forecast_actuals", "PURGED", 2),
    ]


def test_dry_run_changes_nothing_and_predicts_the_real_run(
    rt_owner, rt_retention_db, rt_reporting_db
):
    d = _stream("d")
    created = [_old(days=5), _old(days=4), _old(days=3), _old(days=2), _old(days=1)]
    rt_append_events(rt_owner, d, created)
    holds = _place(rt_owner, streams=(d,), covers_from=created[3])
    today = rt_owner.scalar("SELECT UTC_DATE()")
    _fill_reporting(
        rt_reporting_db,
        "oee_daily_summary",
        "date",
        [_twelve_months_ago(today) - timedelta(days=3)],
        rows_per_day=3,
    )
    tables = (SECURITY, "oee_daily_summary")
    audit_tables = [SECURITY, verify.INTEGRITY, "document_retention_log"]
    before = (
        _fingerprint(rt_owner, audit_tables),
        _fingerprint(rt_reporting_db, ["oee_daily_summary"], heads=False),
    )
    store = MemoryBlobStore()
    dry = _run(
        rt_retention_db,
        store,
        None,
        dry_run=True,
        reporting=rt_reporting_db,
        targets=("reporting", "audit"),
        tables=tables,
    )
    after = (
        _fingerprint(rt_owner, audit_tables),
        _fingerprint(rt_reporting_db, ["oee_daily_summary"], heads=False),
    )
    assert after == before
    assert list(store.items("gt-rt-archive")) == []
    assert {a.status for a in dry.actions} == {"DRY_RUN"}
    recorded = _schedule(rt_owner, dry.run_id)
    assert {r[1] for r in recorded} == {"DRY_RUN"} and len(recorded) == len(dry.actions)
    would = {
        "oee": sum(a.rows for a in dry.actions if a.table == "oee_daily_summary"),
        "d": sum(
            s["rows"]
            for a in dry.actions
            if a.table == SECURITY
            for s in a.details["streams"]
            if s["stream"] == d
        ),
    }
    held = [
        s
        for a in dry.actions
        if a.details.get("held")
        for s in a.details["held"]["streams"]
        if s["stream"] == d
    ]
    assert would == {"oee": 3, "d": 3}
    assert sum(s["under_hold"] for s in held) == 2
    assert {h for s in held for h in s["hold_ids"]} == {holds[0].hold_id}

    real = _run(
        rt_retention_db,
        store,
        None,
        reporting=rt_reporting_db,
        targets=("reporting", "audit"),
        tables=tables,
    )
    purged_d = sum(
        s["rows"]
        for a in real.actions
        if a.status == "PURGED" and a.table == SECURITY
        for s in a.details["streams"]
        if s["stream"] == d
    )
    assert purged_d == would["d"] == len(created) - len(_rows(rt_owner, d))
    assert sum(a.rows for a in real.actions if a.status == "PURGED" and a.table != SECURITY) == 3
    _release(rt_owner, holds)


def test_only_the_retention_account_can_purge(rt_settings, rt_owner, rt_retention_db):
    from genims_platform.audit.ingest import audit_database

    e = _stream("e")
    rt_append_events(rt_owner, e, [_old(hours=2), _old(hours=1)])
    ingest = audit_database(rt_settings, role="ingest")
    assert ingest.user != rt_retention_db.user
    with dedicated_connection(ingest) as conn, conn.cursor() as cur:
        cur.execute("SET @genims_retention_purge = 'on'")
        with pytest.raises(pymysql.err.MySQLError) as caught:
            cur.execute(f"DELETE FROM {SECURITY} WHERE stream_id = %s", (e,))
        assert caught.value.args[0] == ACCESS_DENIED

    refused = _run(ingest, MemoryBlobStore(), {e})
    assert [r["seq"] for r in _rows(rt_owner, e)] == [1, 2]
    assert [a.status for a in refused.actions] == ["PLANNED", "ARCHIVED", "FAILED"]
    assert "DELETE command denied" in refused.failed[0].details["error"]
    assert _problems(rt_owner, SECURITY, {e}) == []

    done = _run(rt_retention_db, MemoryBlobStore(), {e})
    assert done.rows("PURGED") == 2 and _rows(rt_owner, e) == []
    performed = rt_owner.query(
        "SELECT DISTINCT performed_by FROM data_retention_schedule WHERE run_id = %s",
        (done.run_id,),
    )
    assert performed == [(f"pytest retention as {rt_retention_db.user}",)]


def test_a_whole_stream_purged_keeps_verifying_and_accepts_new_rows(rt_owner, rt_retention_db):
    g = _stream("g")
    rt_append_events(rt_owner, g, [_old(days=2), _old(days=1)])
    _run(rt_retention_db, MemoryBlobStore(), {g})
    assert _rows(rt_owner, g) == []
    assert _problems(rt_owner, SECURITY, {g}) == []
    # The next append checks the tail it continues (seq 2, purged): the checkpoint vouches.
    rt_append_events(rt_owner, g, [_now()])
    assert [r["seq"] for r in _rows(rt_owner, g)] == [3]
    assert _problems(rt_owner, SECURITY, {g}) == []


def test_an_append_after_an_unrecorded_delete_of_the_tail_is_refused(rt_owner, rt_retention_db):
    from genims_platform.audit.chain import ChainError

    t = _stream("t")
    rt_append_events(rt_owner, t, [_old(days=1)])
    with dedicated_connection(rt_retention_db) as conn, conn.cursor() as cur:
        cur.execute("SET @genims_retention_purge = 'on'")
        cur.execute(f"DELETE FROM {SECURITY} WHERE stream_id = %s", (t,))
        conn.commit()
    with pytest.raises(ChainError, match="was deleted"):
        rt_append_events(rt_owner, t, [_now()])


def test_tampering_after_a_purge_is_still_detected(rt_settings, rt_owner, rt_retention_db):
    from genims_platform.audit.security import install_triggers
    from genims_platform.lib import mysql

    f = _stream("f")
    rt_append_events(rt_owner, f, [_old(days=3), _old(days=2), _now()])
    _run(rt_retention_db, MemoryBlobStore(), {f})
    assert [r["seq"] for r in _rows(rt_owner, f)] == [3]
    assert _problems(rt_owner, SECURITY, {f}) == []
    target = rt_settings.target("audit")
    with mysql.connect(target, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP TRIGGER IF EXISTS `{SECURITY}_no_update`")
        try:
            cur.execute(
                f"UPDATE {SECURITY} SET canonical_payload = REPLACE(canonical_payload, "
                "'pytest', 'mallory') WHERE stream_id = %s AND stream_seq = 3",
                (f,),
            )
            problems = _problems(rt_owner, SECURITY, {f})
            cur.execute(
                f"UPDATE {SECURITY} SET canonical_payload = REPLACE(canonical_payload, "
                "'mallory', 'pytest') WHERE stream_id = %s AND stream_seq = 3",
                (f,),
            )
        finally:
            install_triggers(cur, target.database)
    assert any("seq 3 does not match its hash" in p for p in problems), problems
    assert _problems(rt_owner, SECURITY, {f}) == []


def test_checkpoints_in_purged_integrity_rows_are_carried_forward(rt_owner, rt_retention_db):
    """A stream purged long ago keeps verifying after the old checkpoint row itself is purged."""
    from genims_platform.audit.chain import ChainedRow, append_chained, lock_heads, save_heads
    from genims_platform.operations.audit_retention import _checkpoint

    h = _stream("h")
    rt_append_events(rt_owner, h, [_old(days=30), _old(days=29), _now()])
    rows = _rows(rt_owner, h)
    old_stream = f"{verify.INTEGRITY}/rtold{uuid.uuid4().hex[:8]}"
    when = _old(days=20)
    values = _checkpoint(h, 1, 2, rows[1]["hash"], when, {"test": "old purge"})
    with rt_owner.connect() as conn:
        conn.begin()
        with conn.cursor() as cur:
            heads = lock_heads(cur, {old_stream: verify.INTEGRITY})
            append_chained(
                cur,
                verify.INTEGRITY,
                verify.INTEGRITY_COLUMNS,
                [ChainedRow(old_stream, values)],
                heads,
            )
            save_heads(cur, heads.values(), when)
        conn.commit()
    with dedicated_connection(rt_retention_db) as conn, conn.cursor() as cur:
        cur.execute("SET @genims_retention_purge = 'on'")
        cur.execute(f"DELETE FROM {SECURITY} WHERE stream_id = %s AND stream_seq <= 2", (h,))
        conn.commit()
    assert _problems(rt_owner, SECURITY, {h}) == []

    report = _run(rt_retention_db, MemoryBlobStore(), {old_stream}, tables=(verify.INTEGRITY,))
    assert report.rows("PURGED") == 1
    assert (
        rt_owner.scalar(
            f"SELECT COUNT(*) FROM {verify.INTEGRITY} WHERE stream_id = %s", (old_stream,)
        )
        == 0
    )
    carried = rt_owner.query(
        "SELECT stream_id, audit_log_id, head_hash_sha256 FROM audit_trail_integrity "
        "WHERE verification_type = 'RETENTION_CHECKPOINT' AND verified_stream = %s",
        (h,),
    )
    assert carried == [(f"{verify.INTEGRITY}/retention", 2, rows[1]["hash"])]
    assert _problems(rt_owner, SECURITY, {h}) == []
    assert (
        _problems(rt_owner, verify.INTEGRITY, {old_stream, f"{verify.INTEGRITY}/retention"}) == []
    )


def test_a_tampered_prefix_is_neither_archived_nor_purged(rt_settings, rt_owner, rt_retention_db):
    from genims_platform.audit.security import install_triggers
    from genims_platform.lib import mysql

    k = _stream("k")
    rt_append_events(rt_owner, k, [_old(hours=3), _old(hours=2), _old(hours=1)])
    target = rt_settings.target("audit")
    store = MemoryBlobStore()

    def edit(old: str, new: str) -> None:
        with mysql.connect(target, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(f"DROP TRIGGER IF EXISTS `{SECURITY}_no_update`")
            try:
                cur.execute(
                    f"UPDATE {SECURITY} SET canonical_payload = REPLACE(canonical_payload, %s, "
                    "%s) WHERE stream_id = %s AND stream_seq = 2",
                    (old, new, k),
                )
            finally:
                install_triggers(cur, target.database)

    edit("pytest", "mallory")
    report = _run(rt_retention_db, store, {k})
    assert [a.status for a in report.actions] == ["PLANNED", "FAILED"]
    assert "seq 2 does not match its hash or link" in report.failed[0].details["error"]
    assert [r["seq"] for r in _rows(rt_owner, k)] == [1, 2, 3]
    assert list(store.items("gt-rt-archive")) == []
    edit("mallory", "pytest")
    assert _run(rt_retention_db, store, {k}).rows("PURGED") == 3


def test_the_record_of_an_active_hold_outlives_the_retention_period(rt_owner, rt_retention_db):
    from genims_platform.audit.chain import ChainedRow, append_chained, lock_heads, save_heads
    from genims_platform.operations.legal_holds import COLUMNS, TABLE, _record_values

    (active,) = _place(rt_owner, tables=("exception_log",), covers_to=_old(days=900))
    stream = f"{TABLE}/rtold{uuid.uuid4().hex[:8]}"
    values = [
        _record_values(
            replace(active, hold_id=hold_id),
            "PLACED",
            case_name="Old case",
            affected={"table": "exception_log"},
            expires_on=None,
            performed_by="pytest",
            now=_old(hours=hours),
        )
        for hold_id, hours in ((999_999_001, 3), (active.hold_id, 2), (999_999_002, 1))
    ]
    with rt_owner.connect() as conn:
        conn.begin()
        with conn.cursor() as cur:
            heads = lock_heads(cur, {stream: TABLE})
            append_chained(cur, TABLE, COLUMNS, [ChainedRow(stream, v) for v in values], heads)
            save_heads(cur, heads.values(), datetime.now(UTC))
        conn.commit()

    def left() -> list[int]:
        return [
            int(r[0])
            for r in rt_owner.query(
                f"SELECT stream_seq FROM {TABLE} WHERE stream_id = %s ORDER BY stream_seq",
                (stream,),
            )
        ]

    report = _run(rt_retention_db, MemoryBlobStore(), {stream}, tables=(TABLE,))
    assert left() == [2, 3]
    (held,) = [a for a in report.actions if a.status == "HELD"]
    assert held.hold_ids == (active.hold_id,)
    assert (held.details["under_hold"], held.details["behind_hold"]) == (1, 1)
    _release(rt_owner, [active])
    _run(rt_retention_db, MemoryBlobStore(), {stream}, tables=(TABLE,))
    assert left() == []
    assert _problems(rt_owner, TABLE, {stream}) == []
