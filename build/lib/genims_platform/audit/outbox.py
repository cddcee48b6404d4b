"""Reading the change-capture outbox (`genims.outbox`) of one source database, safely.

The horizon: only events with ``txid < genims.outbox_horizon()`` (= ``pg_snapshot_xmin(
pg_current_snapshot())``) are read. Every transaction below it has committed or aborted, so no
event can still appear below the cursor later, whatever order transactions commit in; events
of a transaction still running wait until it ends. The horizon is read in its own statement
before the batch: every transaction below it ended before that statement's snapshot, hence
before the batch statement's later snapshot, which therefore sees all of their events.

Events are read in ``(txid, event_id)`` order after the cursor ``(last_txid, last_event_id)``;
the index ``outbox_txid_event_id_idx`` serves both the order and the row comparison.

The identity of the source (its "epoch": cluster system identifier, database oid, timeline) is
read with every batch; a restored, recreated or failed-over database has another one, which
starts a new generation of the cursor (see `genims_platform.audit.ingest`).
"""

# SQL here is composed only from identifiers of the platform's own catalogue (through
# quote_ident); every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from genims_platform.audit.canonical import UtcText, loads_exact

# Timestamps come back as canonical UTC text, ready for the payload (the session is UTC).
_TS = "to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

READ_BATCH = f"""
SELECT event_id, txid::text AS txid_text, {_TS.format(c="tx_ts")}, {_TS.format(c="stmt_ts")},
       {_TS.format(c="captured_at")}, db_user, app_name, host(client_addr), actor,
       schema_name, table_name, operation, pk::text, old_row::text, new_row::text
FROM genims.outbox
WHERE (txid, event_id) > (%(txid)s::text::xid8, %(event_id)s)
  AND txid < %(horizon)s::text::xid8
ORDER BY txid, event_id
LIMIT %(limit)s
"""

HORIZON = "SELECT genims.outbox_horizon()::text"

EPOCH_FULL = """
SELECT (SELECT system_identifier FROM pg_control_system())::text || ':' || d.oid::text || ':'
       || (SELECT timeline_id FROM pg_control_checkpoint())::text
FROM pg_database AS d WHERE d.datname = current_database()
"""
EPOCH_OID = """
SELECT 'oid:' || d.oid::text FROM pg_database AS d WHERE d.datname = current_database()
"""

PENDING = """
SELECT EXISTS (SELECT 1 FROM genims.outbox
               WHERE (txid, event_id) > (%(txid)s::text::xid8, %(event_id)s)
                 AND txid < %(horizon)s::text::xid8)
"""

LAST_BELOW_HORIZON = """
SELECT txid::text AS txid_text, event_id FROM genims.outbox
WHERE txid < %(horizon)s::text::xid8
ORDER BY txid DESC, event_id DESC LIMIT 1
"""

BACKLOG = """
SELECT (SELECT count(*) FROM (SELECT 1 FROM genims.outbox
                              WHERE (txid, event_id) > (%(txid)s::text::xid8, %(event_id)s)
                              LIMIT %(cap)s) AS p),
       (SELECT extract(epoch FROM clock_timestamp() - captured_at)
        FROM genims.outbox
        WHERE (txid, event_id) > (%(txid)s::text::xid8, %(event_id)s)
        ORDER BY txid, event_id LIMIT 1)
"""


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One outbox row as read: timestamps are canonical UTC text; images are raw jsonb text."""

    event_id: int
    txid: int
    tx_ts: UtcText
    stmt_ts: UtcText
    captured_at: UtcText
    db_user: str
    app_name: str | None
    client_addr: str | None
    actor: str | None
    schema_name: str
    table_name: str
    operation: str
    pk: str | None
    old_row: str | None
    new_row: str | None

    @property
    def position(self) -> tuple[int, int]:
        return (self.txid, self.event_id)

    def images(self) -> tuple[dict | None, dict | None, Any]:
        """Old image, new image and primary key, parsed with exact decimals."""
        return (
            loads_exact(self.old_row) if self.old_row is not None else None,
            loads_exact(self.new_row) if self.new_row is not None else None,
            loads_exact(self.pk) if self.pk is not None else None,
        )


@dataclass(frozen=True)
class Backlog:
    """Pending events of one source beyond the committed cursor."""

    pending: int
    capped: bool
    oldest_age_s: float | None


def read_epoch(conn: psycopg.Connection) -> str:
    """The source's identity; falls back to the database oid when the login may not read the
    control data (grant pg_monitor to see restores onto another cluster and failovers)."""
    try:
        with conn.transaction():
            row = conn.execute(EPOCH_FULL).fetchone()
    except psycopg.errors.InsufficientPrivilege:
        row = conn.execute(EPOCH_OID).fetchone()
    return str(row[0])


def read_horizon(conn: psycopg.Connection) -> int:
    return int(conn.execute(HORIZON).fetchone()[0])


def read_batch(
    conn: psycopg.Connection, after: tuple[int, int], horizon: int, limit: int
) -> list[OutboxEvent]:
    params = {"txid": str(after[0]), "event_id": after[1], "horizon": str(horizon), "limit": limit}
    with conn.cursor() as cur:
        cur.execute(READ_BATCH, params)
        rows = cur.fetchall()
    return [
        OutboxEvent(
            r[0],
            int(r[1]),
            UtcText(r[2]),
            UtcText(r[3]),
            UtcText(r[4]),
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            r[10],
            r[11],
            r[12],
            r[13],
            r[14],
        )
        for r in rows
    ]


def has_pending(conn: psycopg.Connection, after: tuple[int, int], horizon: int) -> bool:
    params = {"txid": str(after[0]), "event_id": after[1], "horizon": str(horizon)}
    return bool(conn.execute(PENDING, params).fetchone()[0])


def last_position(conn: psycopg.Connection, horizon: int) -> tuple[int, int]:
    """Position of the last event below the horizon ((0, 0) when there is none)."""
    row = conn.execute(LAST_BELOW_HORIZON, {"horizon": str(horizon)}).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def purge(conn: psycopg.Connection, upto: tuple[int, int]) -> int:
    """Delete the events at or before `upto` (and below the horizon) with
    `genims.outbox_purge`, which only the capture's owner may call; returns how many."""
    row = conn.execute(
        "SELECT genims.outbox_purge(%s::text::xid8, %s)", (str(upto[0]), upto[1])
    ).fetchone()
    return int(row[0])


def read_backlog(conn: psycopg.Connection, after: tuple[int, int], cap: int = 1_000_000) -> Backlog:
    params = {"txid": str(after[0]), "event_id": after[1], "cap": cap}
    count, age = conn.execute(BACKLOG, params).fetchone()
    return Backlog(int(count), int(count) >= cap, float(age) if age is not None else None)
