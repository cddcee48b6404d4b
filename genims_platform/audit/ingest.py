"""Exactly-once ingest of one source database's outbox into the audit tables.

One batch is one MySQL transaction that contains everything it changes:

1. lock the source's cursor row (`audit_ingest_cursor`, ``SELECT ... FOR UPDATE``): a second
   ingest of the same source waits here, so batches of one source never interleave;
2. read the source's identity (epoch) and xid8 horizon, then the next events after the cursor
   below the horizon, in ``(txid, event_id)`` order (`genims_platform.audit.outbox`);
3. build the audit rows, lock the chain heads of their streams, chain and insert them;
4. advance the heads and the cursor, and record an incremental verification of every stream
   it appended to (recomputed by MySQL from the stored bytes) in `audit_trail_integrity`;
5. commit.

A crash anywhere before the commit leaves MySQL as it was (nothing to undo); after the commit,
the next batch starts from the committed cursor whatever Dagster remembers. The unique key
(source_db, source_generation, source_event_id) makes a duplicate impossible even if the cursor
logic were wrong: the batch would fail instead.

A new identity of the source (restored from a dump, recreated, failed over to a server whose
history may differ) starts a new generation: the cursor restarts at the beginning of the
outbox, and events already audited in an earlier generation (same event id, transaction and
capture time) are recognised and skipped, while an event id that was reused for a different
event after a point-in-time restore is audited under the new generation.
"""

# SQL here is composed only from identifiers of the platform's own catalogue (through
# quote_ident); every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pymysql

from genims_platform.audit import events as ev
from genims_platform.audit import outbox, verify
from genims_platform.audit.chain import append_chained, begin_append, lock_heads, save_heads
from genims_platform.lib.errors import DatabaseUnavailableError, GenimsError, first_line
from genims_platform.lib.resources import MySQLDatabase, PostgresSource
from genims_platform.settings import Settings

DEFAULT_BATCH = 5000
CURSOR_TABLE = "audit_ingest_cursor"


class IngestError(GenimsError):
    """One source could not be ingested; nothing of the failed batch was kept."""


@dataclass
class Cursor:
    feed: str
    source_database: str
    epoch: str
    generation: int
    last_txid: int
    last_event_id: int
    events_total: int
    last_captured_at: Any = None
    last_ingest_at: Any = None
    exists: bool = True

    @property
    def position(self) -> tuple[int, int]:
        return (self.last_txid, self.last_event_id)


@dataclass
class SourceResult:
    """What one source's ingest did in this run."""

    logical: str
    events: int = 0
    batches: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    skipped_known: int = 0
    generation: int = 0
    cursor: tuple[int, int] = (0, 0)
    error: str | None = None
    seconds: float = 0.0

    def add_rows(self, table: str, n: int) -> None:
        if n:
            self.rows[table] = self.rows.get(table, 0) + n


def read_cursor(cur, feed: str, *, lock: bool) -> Cursor | None:
    cur.execute(
        f"SELECT feed, source_database, source_epoch, source_generation, last_txid, "
        f"last_event_id, events_total, last_captured_at, last_ingest_at FROM {CURSOR_TABLE} "
        f"WHERE feed = %s{' FOR UPDATE' if lock else ''}",
        (feed,),
    )
    row = cur.fetchone()
    return (
        None
        if row is None
        else Cursor(*row[:4], int(row[4]), int(row[5]), int(row[6]), row[7], row[8])
    )


def read_cursors(db: MySQLDatabase) -> dict[str, Cursor]:
    rows = db.query(
        f"SELECT feed, source_database, source_epoch, source_generation, last_txid, "
        f"last_event_id, events_total, last_captured_at, last_ingest_at FROM {CURSOR_TABLE}"
    )
    return {r[0]: Cursor(*r[:4], int(r[4]), int(r[5]), int(r[6]), r[7], r[8]) for r in rows}


def _lock_cursor(cur, feed: str, database: str) -> Cursor:
    found = read_cursor(cur, feed, lock=True)
    if found is not None:
        return found
    cur.execute(
        f"INSERT IGNORE INTO {CURSOR_TABLE} (feed, source_database, source_epoch, "
        "source_generation, last_txid, last_event_id, events_total) "
        "VALUES (%s, %s, '', 0, 0, 0, 0)",
        (feed, database),
    )
    found = read_cursor(cur, feed, lock=True)
    assert found is not None
    return found


def _save_cursor(cur, c: Cursor, now: datetime) -> None:
    cur.execute(
        f"UPDATE {CURSOR_TABLE} SET source_database = %s, source_epoch = %s, "
        "source_generation = %s, last_txid = %s, last_event_id = %s, events_total = %s, "
        "last_captured_at = %s, last_ingest_at = %s WHERE feed = %s",
        (
            c.source_database,
            c.epoch,
            c.generation,
            c.last_txid,
            c.last_event_id,
            c.events_total,
            c.last_captured_at,
            now.replace(tzinfo=None),
            c.feed,
        ),
    )


def _known_events(cur, logical: str, generation: int, batch: list[outbox.OutboxEvent]) -> set[int]:
    """Event ids of `batch` that earlier generations already audited (same event)."""
    if generation <= 1 or not batch:
        return set()
    ids = [e.event_id for e in batch]
    marks = ", ".join(["%s"] * len(ids))
    known: dict[int, tuple[int, str]] = {}
    for older in range(1, generation):
        cur.execute(
            "SELECT source_event_id, transaction_id, captured_at FROM system_audit_log "
            f"WHERE source_db = %s AND source_generation = %s AND source_event_id IN ({marks})",
            (logical, older, *ids),
        )
        for event_id, txid, captured in cur.fetchall():
            known[int(event_id)] = (
                int(txid),
                captured.isoformat(sep=" ", timespec="microseconds"),
            )
    same = set()
    for e in batch:
        seen = known.get(e.event_id)
        if seen is not None and seen == (e.txid, e.captured_at.mysql):
            same.add(e.event_id)
    return same


def _failed_logins(cur, logical: str, batch: list[outbox.OutboxEvent]) -> ev.FailedLogins | None:
    """Failed logins and alerts already recorded for the users failing in this batch."""
    if (logical, "user_login_events") != ev.LOGIN_TABLE:
        return None
    users: dict[str, datetime] = {}
    for e in batch:
        if e.table_name == "user_login_events" and e.operation == "INSERT" and e.new_row:
            new = outbox.loads_exact(e.new_row)
            if not new.get("success") and new.get("event_ts"):
                at = ev.parse_utc(ev.utc_text_from_iso(new["event_ts"]))
                name = str(new.get("username") or "")[:255]
                users[name] = min(users.get(name, at), at)
    if not users:
        return ev.FailedLogins([], [])
    failures, alerts = [], []
    for name, earliest in users.items():
        cur.execute(
            "SELECT event_type, event_timestamp FROM security_event_log "
            "WHERE username = %s AND event_type IN ('AUTH_FAILURE', 'SUSPICIOUS_ACTIVITY') "
            "AND event_timestamp > %s",
            (name, earliest - ev.FAILED_LOGIN_WINDOW),
        )
        for kind, at in cur.fetchall():
            (failures if kind == "AUTH_FAILURE" else alerts).append((name, at))
    return ev.FailedLogins(failures, alerts)


def ingest_batch(
    pg: PostgresSource,
    db: MySQLDatabase,
    logical: str,
    *,
    batch_size: int = DEFAULT_BATCH,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    verified_by: str = "audit ingest",
    before_commit: Callable[[], None] | None = None,
) -> tuple[int, SourceResult]:
    """One batch of one source in one MySQL transaction; returns (events read, result).

    `before_commit` is a test hook that runs right before the commit (e.g. to kill the
    connection there).
    """
    result = SourceResult(logical)
    bulk = db.local_infile_allowed()
    with db.connect() as conn:
        try:
            begin_append(conn)
            with conn.cursor() as cur:
                cursor = _lock_cursor(cur, logical, pg.database)
                with pg.connect(primary=True) as pconn:
                    epoch = outbox.read_epoch(pconn)
                    new_generation = epoch != cursor.epoch
                    if new_generation:
                        previous = cursor.epoch or None
                        cursor.generation += 1
                        cursor.epoch = epoch
                        cursor.last_txid = cursor.last_event_id = 0
                        cursor.events_total = 0
                    horizon = outbox.read_horizon(pconn)
                    batch = outbox.read_batch(pconn, cursor.position, horizon, batch_size)
                    pconn.rollback()
                result.generation = cursor.generation
                if not batch and not new_generation:
                    conn.rollback()
                    result.cursor = cursor.position
                    return 0, result
                stamp = now()
                ctx = ev.SourceContext(logical, pg.database, cursor.generation, ev.now_text(stamp))
                known = _known_events(cur, logical, cursor.generation, batch)
                fresh = [e for e in batch if e.event_id not in known]
                result.skipped_known = len(known)
                rows = ev.build_rows(ctx, fresh, _failed_logins(cur, logical, fresh))
                if new_generation:
                    cur.execute(
                        "INSERT INTO audit_source_generation (feed, source_generation, "
                        "source_epoch, previous_epoch, started_at) VALUES (%s, %s, %s, %s, %s)",
                        (logical, cursor.generation, epoch, previous, ctx.created_at.mysql),
                    )
                    rows.add(ev.SECURITY, ev.identity_row(ctx, epoch, previous))
                heads = lock_heads(cur, rows.streams())
                for table, table_rows in rows.rows.items():
                    result.add_rows(
                        table,
                        append_chained(
                            cur, table, ev.COLUMNS[table], table_rows, heads, load_data=bulk
                        ),
                    )
                save_heads(cur, heads.values(), stamp)
                if batch:
                    last = batch[-1]
                    cursor.last_txid, cursor.last_event_id = last.position
                    cursor.last_captured_at = last.captured_at.mysql
                cursor.events_total += len(batch)
                cursor.source_database = pg.database
                _save_cursor(cur, cursor, stamp)
                verify.record_incremental(
                    cur, heads.values(), stamp, part=logical, verified_by=verified_by
                )
                if before_commit is not None:
                    before_commit()
            conn.commit()
        except BaseException:
            with contextlib.suppress(pymysql.err.Error):
                conn.rollback()
            raise
    result.events = len(batch)
    result.batches = 1
    result.cursor = cursor.position
    return len(batch), result


@dataclass(frozen=True)
class PurgeResult:
    """What the outbox purge of one source did: events deleted, up to which position, or why
    it did nothing."""

    logical: str
    deleted: int = 0
    upto: tuple[int, int] | None = None
    skipped: str = ""
    not_permitted: bool = False


LAST_AUDITED_BEFORE = (
    "SELECT transaction_id, source_event_id FROM system_audit_log "
    "WHERE source_db = %s AND source_generation = %s AND created_at < %s "
    "ORDER BY created_at DESC, transaction_id DESC, source_event_id DESC LIMIT 1"
)


def purge_delivered(
    pg: PostgresSource,
    db: MySQLDatabase,
    logical: str,
    *,
    keep: timedelta,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PurgeResult:
    """Delete from the source's outbox the events that were audited more than `keep` ago.

    The position comes from the audit database (the last event of the current generation
    audited before the cutoff, never beyond the committed cursor), so an event is deleted only
    once its audit row has been committed for `keep`; a source whose identity changed since
    (a restore, a failover not yet ingested) is left alone. Only the capture's owner may purge:
    another login gets `skipped`, not an error.
    """
    cutoff = (now() - keep).astimezone(UTC).replace(tzinfo=None)
    with db.connect() as conn, conn.cursor() as cur:
        cursor = read_cursor(cur, logical, lock=False)
        row = None
        if cursor is not None:
            cur.execute(LAST_AUDITED_BEFORE, (logical, cursor.generation, cutoff))
            row = cur.fetchone()
        conn.rollback()
    if cursor is None or row is None:
        return PurgeResult(logical, skipped="nothing audited before the cutoff")
    upto = min((int(row[0]), int(row[1])), cursor.position)
    with pg.connect(primary=True) as pconn:
        if outbox.read_epoch(pconn) != cursor.epoch:
            pconn.rollback()
            return PurgeResult(logical, skipped="the source's identity changed; ingest first")
        try:
            deleted = outbox.purge(pconn, upto)
        except psycopg.errors.InsufficientPrivilege:
            pconn.rollback()
            return PurgeResult(
                logical,
                skipped="this login may not call genims.outbox_purge (owner only)",
                not_permitted=True,
            )
        pconn.commit()
    return PurgeResult(logical, deleted, upto)


RETRYABLE = (1205, 1213)  # lock wait timeout, deadlock: the batch was rolled back, try again


def _with_retry(attempt: Callable[[], Any], tries: int = 3) -> Any:
    for number in range(1, tries + 1):
        try:
            return attempt()
        except pymysql.err.OperationalError as error:
            if number == tries or not error.args or error.args[0] not in RETRYABLE:
                raise
            time.sleep(0.05 * number)
    raise AssertionError("unreachable")


def ingest_source(
    pg: PostgresSource,
    db: MySQLDatabase,
    logical: str,
    *,
    batch_size: int = DEFAULT_BATCH,
    time_budget_s: float = 60.0,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    pipelined: bool = True,
) -> SourceResult:
    """Ingest batches of one source until it is caught up (or the time budget is spent).

    When a backlog is found, the next batches are pipelined (`_pipelined`): the next batch is
    read and chained while MySQL stores the current one. Errors are caught and reported in the
    result, so one unreachable source never stops the others; nothing of a failed batch was
    committed.
    """
    total = SourceResult(logical)
    started = time.perf_counter()
    deadline = started + time_budget_s

    def add(n: int, one: SourceResult) -> None:
        total.events += n
        total.batches += one.batches
        total.skipped_known += one.skipped_known
        total.generation, total.cursor = one.generation, one.cursor
        for table, count in one.rows.items():
            total.add_rows(table, count)

    try:
        while True:
            n, one = _with_retry(
                lambda: ingest_batch(pg, db, logical, batch_size=batch_size, now=now)
            )
            add(n, one)
            if n < batch_size or time.perf_counter() > deadline:
                break
            if pipelined and (logical, "user_login_events") != ev.LOGIN_TABLE:
                caught_up = _pipelined(pg, db, logical, batch_size, deadline, now, add)
                if caught_up or time.perf_counter() > deadline:
                    break
    except DatabaseUnavailableError as error:
        total.error = str(error)
    except (psycopg.Error, pymysql.err.Error) as error:
        total.error = f"{logical}: {type(error).__name__}: {first_line(error)}"
    except GenimsError as error:
        total.error = f"{logical}: {error}"
    total.seconds = time.perf_counter() - started
    return total


@dataclass
class _Prepared:
    """One batch read and chained ahead of its transaction."""

    events: int
    start: tuple[int, int]
    end: tuple[int, int]
    last_captured: str
    before: dict[str, tuple[str, int, str]]
    after: dict[str, tuple[int, str]]
    tables: list
    stamp: datetime
    skipped_known: int


def _pipelined(
    pg: PostgresSource,
    db: MySQLDatabase,
    logical: str,
    batch_size: int,
    deadline: float,
    now: Callable[[], datetime],
    add: Callable[[int, SourceResult], None],
) -> bool:
    """Read and chain batch k+1 in a thread while batch k is written; returns True when the
    source is caught up.

    Every transaction still locks the cursor row and the stream heads and checks that they are
    exactly where the prepared batch starts; if anything else moved them (another ingest of
    the same source, a new identity of the source), the prepared batches are dropped and the
    caller continues batch by batch. The guarantees are those of `ingest_batch`.
    """
    from queue import Empty, Full, Queue

    from genims_platform.audit.chain import ChainHead, prepare_chained, write_prepared

    with db.connect() as conn, conn.cursor() as cur:
        state = read_cursor(cur, logical, lock=False)
        conn.rollback()
    if state is None or state.generation < 1:
        return False
    bulk = db.local_infile_allowed()
    queue: Queue = Queue(maxsize=2)
    stop = threading.Event()

    def put(item) -> None:
        while not stop.is_set():
            with contextlib.suppress(Full):  # the writer is busy: try again until stopped
                queue.put(item, timeout=0.2)
                return

    def produce() -> None:
        try:
            heads: dict[str, ChainHead] = {}
            position = state.position
            with pg.connect(primary=True) as pconn, db.connect() as side:
                while not stop.is_set():
                    if outbox.read_epoch(pconn) != state.epoch:
                        put("identity changed")
                        return
                    horizon = outbox.read_horizon(pconn)
                    batch = outbox.read_batch(pconn, position, horizon, batch_size)
                    pconn.rollback()
                    if not batch:
                        put(None)
                        return
                    stamp = now()
                    ctx = ev.SourceContext(
                        logical, pg.database, state.generation, ev.now_text(stamp)
                    )
                    with side.cursor() as scur:
                        known = _known_events(scur, logical, state.generation, batch)
                        rows = ev.build_rows(
                            ctx, [e for e in batch if e.event_id not in known], None
                        )
                        streams = rows.streams()
                        missing = [sid for sid in streams if sid not in heads]
                        if missing:
                            heads.update(_committed_heads(scur, {m: streams[m] for m in missing}))
                        side.rollback()
                    before = {}
                    for sid in streams:
                        head = heads[sid]
                        head.start_seq, head.start_hash, head.appended = (
                            head.last_seq,
                            head.last_hash,
                            0,
                        )
                        before[sid] = (head.table_name, head.last_seq, head.last_hash)
                    tables = [
                        prepare_chained(t, ev.COLUMNS[t], r, heads) for t, r in rows.rows.items()
                    ]
                    put(
                        _Prepared(
                            len(batch),
                            position,
                            batch[-1].position,
                            batch[-1].captured_at.mysql,
                            before,
                            {sid: (heads[sid].last_seq, heads[sid].last_hash) for sid in streams},
                            tables,
                            stamp,
                            len(known),
                        )
                    )
                    position = batch[-1].position
                    if len(batch) < batch_size or time.perf_counter() > deadline:
                        put(None)
                        return
        except BaseException as error:  # handed to the writer, which raises it
            put(error)

    producer = threading.Thread(target=produce, name=f"audit-read-{logical}", daemon=True)
    producer.start()
    caught_up = False
    try:
        while True:
            try:
                item = queue.get(timeout=1.0)
            except Empty:
                if not producer.is_alive():
                    return False
                continue
            if item is None:
                caught_up = True
                break
            if isinstance(item, str):
                break
            if isinstance(item, BaseException):
                raise item
            result = _write_prepared_batch(db, logical, state, item, bulk, write_prepared)
            if result is None:
                break
            add(item.events, result)
            state.last_txid, state.last_event_id = item.end
    finally:
        stop.set()
        producer.join(timeout=30)
    return caught_up


def _committed_heads(cur, streams: dict[str, str]) -> dict:
    from genims_platform.audit.canonical import GENESIS_HASH
    from genims_platform.audit.chain import ChainHead

    marks = ", ".join(["%s"] * len(streams))
    cur.execute(
        "SELECT stream_id, table_name, last_seq, last_hash, row_count FROM audit_chain_head "
        f"WHERE stream_id IN ({marks})",
        list(streams),
    )
    found = {r[0]: ChainHead(r[0], r[1], int(r[2]), r[3], int(r[4])) for r in cur.fetchall()}
    for sid, table in streams.items():
        found.setdefault(sid, ChainHead(sid, table, 0, GENESIS_HASH, 0))
    return found


def _write_prepared_batch(
    db: MySQLDatabase, logical: str, state: Cursor, item: _Prepared, bulk: bool, write_prepared
) -> SourceResult | None:
    """The transaction of one prepared batch; None when the cursor or a head moved."""
    result = SourceResult(logical, generation=state.generation)
    with db.connect() as conn:
        try:
            begin_append(conn)
            with conn.cursor() as cur:
                cursor = read_cursor(cur, logical, lock=True)
                if (
                    cursor is None
                    or cursor.position != item.start
                    or (cursor.epoch, cursor.generation) != (state.epoch, state.generation)
                ):
                    conn.rollback()
                    return None
                locked = lock_heads(cur, {sid: b[0] for sid, b in item.before.items()})
                for sid, (_table, seq, digest) in item.before.items():
                    head = locked[sid]
                    if (head.last_seq, head.last_hash) != (seq, digest):
                        conn.rollback()
                        return None
                    head.last_seq, head.last_hash = item.after[sid]
                    head.appended = head.last_seq - seq
                for prepared in item.tables:
                    result.add_rows(prepared.table, write_prepared(cur, prepared, load_data=bulk))
                save_heads(cur, locked.values(), item.stamp)
                cursor.last_txid, cursor.last_event_id = item.end
                cursor.last_captured_at = item.last_captured
                cursor.events_total += item.events
                _save_cursor(cur, cursor, item.stamp)
                verify.record_incremental(
                    cur, locked.values(), item.stamp, part=logical, verified_by="audit ingest"
                )
            conn.commit()
        except BaseException:
            with contextlib.suppress(pymysql.err.Error):
                conn.rollback()
            raise
    result.batches = 1
    result.skipped_known = item.skipped_known
    result.cursor = item.end
    return result


def source_resource(settings: Settings, logical: str) -> PostgresSource:
    """The resource of one source database, from settings (scripts, tests, benchmarks)."""
    server = settings.pg_primary
    return PostgresSource(
        logical=logical,
        database=settings.source_db(logical),
        host=server.host,
        port=server.port,
        user=server.user,
        password=server.password,
        sslmode=server.sslmode,
        sslrootcert=server.sslrootcert or "",
    )


def audit_database(settings: Settings, *, role: str | None = "ingest") -> MySQLDatabase:
    """The audit database as the `role` account when its password is set, else as the owner."""
    target = settings.target("audit")
    user, password = target.user, target.password
    account = {a.role: a for a in settings.audit.accounts}.get(role or "")
    if account is not None and account.password:
        user, password = account.user, account.password
    return MySQLDatabase(
        logical="audit",
        database=target.database,
        host=target.host,
        port=target.port,
        user=user,
        password=password,
        charset=target.charset,
        timeout=target.timeout,
        ssl_ca=target.ssl_ca or "",
        ssl_verify_identity="true" if target.ssl_verify_identity else "false",
        batch_size=settings.etl.batch_size,
    )
