"""Legal holds on the audit database: placed, released, listed, and extended to stored documents.

A legal hold preserves audit rows for a legal matter: while it is active, no covered row is
purged, whatever its age. Two tables carry it:

* `audit_legal_hold` (enforcement): one row per scope, i.e. an audit table (or every table),
  optionally one stream of it, and a creation period ``[covers_from, covers_to]`` (either end
  open). The append-only DELETE trigger refuses to delete a covered row while `released_at` is
  NULL; the retention job stops each stream's purge at the first covered row.
* `legal_hold_records` (business record, hash-chained): one PLACED row per hold when it is
  placed and one RELEASED row when it is released, with the case, the matter, the reason and
  what it covers (`affected_entities`: table, stream, period and the rows covered at that
  moment). Both tables change in the same transaction.

Holds are placed and released by the owner account of the audit database (MYSQL_AUDIT_USER):
the ingest role may only read `audit_legal_hold`, the retention role must never be able to lift
what stops it.

Stored documents follow the holds (`sync_blob_holds`): every audit archive whose table, period
and streams (all of the table's when the archive does not list them) a hold covers, and every
audit backup taken during a hold's period plus the first one taken after it (the first that
contains the whole period), get a blob legal hold, cleared again when no active hold covers
them any more. Each change is recorded in document_retention_log (HELD / RELEASED). Where the
store does not implement blob legal holds (the Azurite emulator), the action is still
recorded, with ``"enforced": false``.
"""

# The only composed SQL is a list of bound-parameter markers (IN lists) and audit table names
# read from the database's own catalogue, always through quote_ident.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from genims_platform.audit.canonical import canonical_json, timestamp_text, utc_text
from genims_platform.lib.blob import BlobError, BlobInfo, BlobNotFoundError, BlobStore
from genims_platform.lib.errors import GenimsError
from genims_platform.lib.mysql import quote_ident
from genims_platform.lib.sqlfiles import load_sql

TABLE = "legal_hold_records"
STREAM = TABLE
ACTIONS = ("PLACED", "RELEASED")
COLUMNS = (
    "hold_id",
    "action",
    "hold_date",
    "case_name",
    "legal_matter_id",
    "affected_entities",
    "hold_reason",
    "hold_expiration_date",
    "released_date",
    "release_reason",
    "performed_by",
    "created_at",
)
EVERY = "*"


class LegalHoldError(GenimsError):
    """A hold request that cannot be carried out; nothing was changed."""


def _sql(name: str) -> str:
    return load_sql("operations", "retention", name)


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def parse_moment(text: str | None, *, name: str, end_of_day: bool = False) -> datetime | None:
    """A UTC moment from ``YYYY-MM-DD`` (start of the day, or its last microsecond with
    `end_of_day`) or an ISO-8601 date-time (naive = UTC); empty means open-ended."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end_of_day else time.min)
        return _naive(datetime.fromisoformat(text))
    except ValueError:
        raise LegalHoldError(
            f"{name} must be YYYY-MM-DD or an ISO-8601 date-time (UTC), got {text!r}"
        ) from None


@dataclass(frozen=True)
class Hold:
    """One row of `audit_legal_hold`: what the purge trigger enforces."""

    hold_id: int
    legal_matter_id: str
    table: str | None
    stream: str | None
    covers_from: datetime | None
    covers_to: datetime | None
    reason: str | None = None
    placed_by: str = ""
    placed_at: datetime | None = None
    released_at: datetime | None = None

    def covers(self, table: str, stream: str, created: datetime) -> bool:
        """Whether the hold covers a row (the trigger's rule)."""
        return (
            (self.table is None or self.table == table)
            and (self.stream is None or self.stream == stream)
            and (self.covers_from is None or created >= self.covers_from)
            and (self.covers_to is None or created <= self.covers_to)
        )

    def overlaps(self, table: str | None, start: datetime, end: datetime) -> bool:
        """Whether the hold covers some moment of [start, end] of `table` (any stream)."""
        return (
            (self.table is None or table is None or self.table == table)
            and (self.covers_from is None or end >= self.covers_from)
            and (self.covers_to is None or start <= self.covers_to)
        )

    def scope(self) -> dict[str, Any]:
        return {
            "table": self.table or EVERY,
            "stream": self.stream or EVERY,
            "covers_from": timestamp_text(self.covers_from) if self.covers_from else None,
            "covers_to": timestamp_text(self.covers_to) if self.covers_to else None,
        }

    def describe(self) -> str:
        period = (
            f"{timestamp_text(self.covers_from) if self.covers_from else 'beginning'} .. "
            f"{timestamp_text(self.covers_to) if self.covers_to else 'open'}"
        )
        return (
            f"hold {self.hold_id} ({self.legal_matter_id}): table {self.table or EVERY}, "
            f"stream {self.stream or EVERY}, created {period}"
        )


def read_holds(cur, *, include_released: bool = False) -> list[Hold]:
    cur.execute(_sql("holds.sql"), {"all": include_released})
    return [
        Hold(
            hold_id=int(r[0]),
            legal_matter_id=r[1],
            table=r[2],
            stream=r[3],
            covers_from=r[4],
            covers_to=r[5],
            reason=r[6],
            placed_by=r[7],
            placed_at=r[8],
            released_at=r[9],
        )
        for r in cur.fetchall()
    ]


@dataclass(frozen=True)
class HoldRequest:
    """What an operator asks to hold: a matter, a case, audit tables and/or streams (none: every
    audit table) and a creation period (either end open)."""

    legal_matter_id: str
    case_name: str
    reason: str
    tables: tuple[str, ...] = ()
    streams: tuple[str, ...] = ()
    covers_from: datetime | None = None
    covers_to: datetime | None = None
    expires_on: date | None = None

    def check(self) -> None:
        if not self.legal_matter_id.strip() or len(self.legal_matter_id) > 128:
            raise LegalHoldError("legal_matter_id is required (at most 128 characters)")
        if not self.case_name.strip() or len(self.case_name) > 255:
            raise LegalHoldError("case_name is required (at most 255 characters)")
        if not self.reason.strip():
            raise LegalHoldError("a reason is required for a legal hold")
        if self.covers_from and self.covers_to and self.covers_from > self.covers_to:
            raise LegalHoldError(
                f"covers_from ({timestamp_text(self.covers_from)}) is after covers_to "
                f"({timestamp_text(self.covers_to)})"
            )


def _scopes(cur, request: HoldRequest) -> list[tuple[str | None, str | None]]:
    """(table, stream) pairs to hold; validates every table and stream against the database."""
    from genims_platform.audit.verify import chained_tables

    known = chained_tables(cur)
    unknown = [t for t in request.tables if t not in known]
    if unknown:
        raise LegalHoldError(
            f"unknown audit table(s) {', '.join(sorted(unknown))}; audit tables are: "
            + ", ".join(known)
        )
    stream_tables: dict[str, str] = {}
    if request.streams:
        marks = ", ".join(["%s"] * len(request.streams))
        cur.execute(
            f"SELECT stream_id, table_name FROM audit_chain_head WHERE stream_id IN ({marks})",
            list(request.streams),
        )
        stream_tables = {r[0]: r[1] for r in cur.fetchall()}
        missing = [s for s in request.streams if s not in stream_tables]
        if missing:
            raise LegalHoldError(
                f"unknown audit stream(s) {', '.join(sorted(missing))} (streams are named "
                "<table>/<part>; `genims legal-hold list --streams` shows them)"
            )
    scopes: list[tuple[str | None, str | None]] = [(t, None) for t in dict.fromkeys(request.tables)]
    for stream in dict.fromkeys(request.streams):
        if stream_tables[stream] not in request.tables:
            scopes.append((stream_tables[stream], stream))
    return scopes or [(None, None)]


def _rows_covered(cur, hold: Hold) -> dict[str, int]:
    from genims_platform.audit.verify import chained_tables

    tables = [hold.table] if hold.table else chained_tables(cur)
    out = {}
    for table in tables:
        cur.execute(
            _sql("hold_rows_covered.sql").format(table=quote_ident(table)),
            {"stream": hold.stream, "covers_from": hold.covers_from, "covers_to": hold.covers_to},
        )
        count = int(cur.fetchone()[0])
        if count:
            out[table] = count
    return out


def _record_values(
    hold: Hold,
    action: str,
    *,
    case_name: str,
    affected: dict[str, Any],
    expires_on: date | None,
    performed_by: str,
    now: datetime,
    release_reason: str | None = None,
) -> dict[str, Any]:
    return {
        "hold_id": hold.hold_id,
        "action": action,
        "hold_date": utc_text(hold.placed_at or now),
        "case_name": case_name[:255],
        "legal_matter_id": hold.legal_matter_id,
        "affected_entities": canonical_json(affected),
        "hold_reason": hold.reason,
        "hold_expiration_date": expires_on,
        "released_date": utc_text(now) if action == "RELEASED" else None,
        "release_reason": release_reason,
        "performed_by": performed_by[:255],
        "created_at": utc_text(now),
    }


def _append_records(cur, values: Sequence[dict[str, Any]], now: datetime) -> None:
    from genims_platform.audit.chain import ChainedRow, append_chained, lock_heads, save_heads

    heads = lock_heads(cur, {STREAM: TABLE})
    append_chained(cur, TABLE, COLUMNS, [ChainedRow(STREAM, v) for v in values], heads)
    save_heads(cur, heads.values(), now)


def place_hold(
    conn, request: HoldRequest, *, performed_by: str, now: datetime | None = None
) -> list[Hold]:
    """Place the holds of `request` (one per scope) and record them, in one transaction.
    `conn` is the owner account's connection."""
    from genims_platform.audit.chain import begin_append

    request.check()
    now = _naive(now or datetime.now(UTC))
    with conn.cursor() as cur:
        scopes = _scopes(cur, request)
        planned = [
            Hold(0, request.legal_matter_id, t, s, request.covers_from, request.covers_to)
            for t, s in scopes
        ]
        counts = [_rows_covered(cur, h) for h in planned]
    conn.commit()
    placed: list[Hold] = []
    try:
        begin_append(conn)
        with conn.cursor() as cur:
            values = []
            for hold, covered in zip(planned, counts, strict=True):
                cur.execute(
                    "INSERT INTO audit_legal_hold (legal_matter_id, table_name, stream_id, "
                    "covers_from, covers_to, hold_reason, placed_by, placed_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        request.legal_matter_id,
                        hold.table,
                        hold.stream,
                        hold.covers_from,
                        hold.covers_to,
                        request.reason,
                        performed_by[:255],
                        now,
                    ),
                )
                made = Hold(
                    int(cur.lastrowid),
                    request.legal_matter_id,
                    hold.table,
                    hold.stream,
                    hold.covers_from,
                    hold.covers_to,
                    request.reason,
                    performed_by,
                    now,
                )
                placed.append(made)
                affected = {
                    **made.scope(),
                    "rows_covered": sum(covered.values()),
                    "rows_by_table": covered,
                }
                values.append(
                    _record_values(
                        made,
                        "PLACED",
                        case_name=request.case_name,
                        affected=affected,
                        expires_on=request.expires_on,
                        performed_by=performed_by,
                        now=now,
                    )
                )
            _append_records(cur, values, now)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return placed


def release_holds(
    conn,
    *,
    hold_ids: Iterable[int] = (),
    legal_matter_id: str | None = None,
    reason: str,
    performed_by: str,
    now: datetime | None = None,
) -> list[Hold]:
    """Release holds by id, or every active hold of a matter, and record it, in one
    transaction. `conn` is the owner account's connection."""
    from genims_platform.audit.chain import begin_append

    ids = sorted({int(i) for i in hold_ids})
    if not ids and not legal_matter_id:
        raise LegalHoldError("name the hold id(s) to release, or a legal matter")
    if not reason.strip():
        raise LegalHoldError("a reason is required to release a legal hold")
    now = _naive(now or datetime.now(UTC))
    released: list[Hold] = []
    try:
        begin_append(conn)
        with conn.cursor() as cur:
            if not ids:
                cur.execute(
                    "SELECT hold_id FROM audit_legal_hold WHERE legal_matter_id = %s "
                    "AND released_at IS NULL ORDER BY hold_id",
                    (legal_matter_id,),
                )
                ids = [int(r[0]) for r in cur.fetchall()]
                if not ids:
                    raise LegalHoldError(f"no active legal hold of matter {legal_matter_id!r}")
            marks = ", ".join(["%s"] * len(ids))
            cur.execute(
                "SELECT hold_id, legal_matter_id, table_name, stream_id, covers_from, covers_to, "
                "hold_reason, placed_by, placed_at, released_at FROM audit_legal_hold "
                f"WHERE hold_id IN ({marks}) ORDER BY hold_id FOR UPDATE",
                ids,
            )
            found = {int(r[0]): Hold(int(r[0]), *r[1:]) for r in cur.fetchall()}
            missing = [str(i) for i in ids if i not in found]
            if missing:
                raise LegalHoldError(f"no legal hold with id {', '.join(missing)}")
            done = [h for h in found.values() if h.released_at is not None]
            if done:
                raise LegalHoldError(
                    "already released: "
                    + ", ".join(
                        f"hold {h.hold_id} at {timestamp_text(h.released_at)}" for h in done
                    )
                )
            if legal_matter_id and any(
                h.legal_matter_id != legal_matter_id for h in found.values()
            ):
                raise LegalHoldError(f"not every hold named belongs to matter {legal_matter_id!r}")
            placements = _placements(cur)
            values = []
            for hold in found.values():
                cur.execute(
                    "UPDATE audit_legal_hold SET released_at = %s "
                    "WHERE hold_id = %s AND released_at IS NULL",
                    (now, hold.hold_id),
                )
                placed = placements.get(hold.hold_id, {})
                values.append(
                    _record_values(
                        hold,
                        "RELEASED",
                        case_name=placed.get("case_name") or "(placed without a record)",
                        affected=hold.scope(),
                        expires_on=placed.get("expires_on"),
                        performed_by=performed_by,
                        now=now,
                        release_reason=reason,
                    )
                )
                released.append(hold)
            _append_records(cur, values, now)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return released


def _placements(cur) -> dict[int, dict[str, Any]]:
    cur.execute(_sql("hold_placements.sql"))
    return {
        int(r[0]): {"case_name": r[1], "expires_on": r[2], "affected": r[3]} for r in cur.fetchall()
    }


@dataclass(frozen=True)
class HoldView:
    """A hold as an operator sees it: enforcement row plus its business record."""

    hold: Hold
    case_name: str | None
    expires_on: date | None
    rows_covered_at_placement: int | None


def list_holds(conn, *, include_released: bool = False) -> list[HoldView]:
    with conn.cursor() as cur:
        holds = read_holds(cur, include_released=include_released)
        placements = _placements(cur)
    conn.commit()
    out = []
    for hold in holds:
        placed = placements.get(hold.hold_id, {})
        affected = json.loads(placed["affected"]) if placed.get("affected") else {}
        out.append(
            HoldView(
                hold,
                placed.get("case_name"),
                placed.get("expires_on"),
                affected.get("rows_covered"),
            )
        )
    return out


@dataclass(frozen=True)
class HoldTargets:
    """Where the documents that holds extend to are stored."""

    audit_database: str
    archive_container: str
    backup_container: str


@dataclass
class BlobHoldSync:
    """Outcome of aligning blob legal holds with the active holds."""

    held: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    not_enforced: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _naive(datetime.fromisoformat(value))
    except ValueError:
        return None


def _archive_holds(blobs: list[BlobInfo], holds: list[Hold]) -> dict[str, tuple[BlobInfo, set]]:
    out = {}
    for blob in blobs:
        start = _moment(blob.metadata.get("created_from"))
        end = _moment(blob.metadata.get("created_to"))
        table = blob.metadata.get("table")
        if start is None or end is None:
            continue
        listed = blob.metadata.get("streams")
        streams = set(listed.split(",")) if listed else None
        ids = {
            h.hold_id
            for h in holds
            if h.overlaps(table, start, end)
            and (h.stream is None or streams is None or h.stream in streams)
        }
        if ids:
            out[f"{blob.container}/{blob.name}"] = (blob, ids)
    return out


def _backup_holds(blobs: list[BlobInfo], holds: list[Hold]) -> dict[str, tuple[BlobInfo, set]]:
    """A backup is the set of blobs of one dump (the dump and its companions share the name up
    to the first dot); its time is when its first blob was written."""
    sets: dict[str, list[BlobInfo]] = defaultdict(list)
    for blob in blobs:
        folder, _, base = blob.name.rpartition("/")
        sets[f"{folder}/{base.split('.', 1)[0]}"].append(blob)
    taken = sorted(
        (min(_naive(b.last_modified) for b in members if b.last_modified), key)
        for key, members in sets.items()
        if any(b.last_modified for b in members)
    )
    out: dict[str, tuple[BlobInfo, set]] = {}
    for hold in holds:
        chosen = [
            key
            for at, key in taken
            if (hold.covers_from is None or at >= hold.covers_from)
            and (hold.covers_to is None or at <= hold.covers_to)
        ]
        if hold.covers_to is not None:
            after = [key for at, key in taken if at > hold.covers_to]
            chosen += after[:1]
        for key in chosen:
            for blob in sets[key]:
                _, ids = out.setdefault(f"{blob.container}/{blob.name}", (blob, set()))
                ids.add(hold.hold_id)
    return out


def sync_blob_holds(
    conn,
    store: BlobStore,
    targets: HoldTargets,
    *,
    performed_by: str,
    now: datetime | None = None,
    log=lambda message: None,
) -> BlobHoldSync:
    """Set a blob legal hold on every audit archive and backup an active hold covers, clear it
    on those no active hold covers any more, and record each change in
    document_retention_log."""
    from genims_platform.audit.chain import begin_append
    from genims_platform.operations.documents import DocumentAction, record_document_actions

    now = now or datetime.now(UTC)
    with conn.cursor() as cur:
        holds = read_holds(cur)
        cur.execute(_sql("held_documents.sql"))
        latest: dict[str, tuple[str, str, str]] = {}
        for document_id, document_type, action, location, _details in cur.fetchall():
            latest[document_id] = (document_type, action, location)
    conn.commit()
    prefix = f"{targets.audit_database}/"
    covered: dict[str, tuple[str, BlobInfo, set]] = {}
    for location, (blob, ids) in _archive_holds(
        store.list(targets.archive_container, prefix=prefix), holds
    ).items():
        covered[location] = ("AUDIT_ARCHIVE", blob, ids)
    for location, (blob, ids) in _backup_holds(
        store.list(targets.backup_container, prefix=prefix), holds
    ).items():
        covered[location] = ("BACKUP", blob, ids)
    held_now = {doc: v for doc, v in latest.items() if v[1] == "HELD"}
    outcome = BlobHoldSync()
    actions = []

    def apply(container: str, name: str, hold: bool) -> dict[str, Any]:
        try:
            store.set_legal_hold(container, name, hold)
            return {"enforced": True}
        except BlobNotFoundError:
            return {"enforced": False, "error": "the blob no longer exists"}
        except BlobError as error:
            # Azurite does not implement blob legal holds; the decision is recorded anyway.
            return {"enforced": False, "error": str(error)[:500]}

    for location, (document_type, blob, ids) in sorted(covered.items()):
        if location in held_now:
            continue
        result = apply(blob.container, blob.name, True)
        (outcome.held if result["enforced"] else outcome.not_enforced).append(location)
        actions.append(
            DocumentAction(
                container=blob.container,
                name=blob.name,
                document_type=document_type,
                action="HELD",
                retention_requirement=f"legal hold {', '.join(map(str, sorted(ids)))}: kept "
                "until released",
                performed_by=performed_by,
                size_bytes=blob.size,
                sha256=blob.sha256,
                details={"hold_ids": sorted(ids), **result},
            )
        )
    for location, (document_type, _action, _where) in sorted(held_now.items()):
        if location in covered:
            continue
        container, _, name = location.partition("/")
        result = apply(container, name, False)
        if result["enforced"]:
            outcome.released.append(location)
        actions.append(
            DocumentAction(
                container=container,
                name=name,
                document_type=document_type,
                action="RELEASED",
                retention_requirement="no active legal hold: back to its own retention",
                performed_by=performed_by,
                details=result,
            )
        )
    if actions:
        try:
            begin_append(conn)
            with conn.cursor() as cur:
                record_document_actions(cur, actions, now)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    for location in outcome.not_enforced:
        log(f"blob legal hold not enforced by the store (recorded): {location}")
    return outcome
