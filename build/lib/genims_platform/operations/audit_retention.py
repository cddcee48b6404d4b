"""Retention of the audit database: archive, then purge, rows past their retention period.

An audit table is a set of hash chains (streams). A purge removes the *start* of a chain, never
a row in the middle, so what is left still verifies from a checkpoint. Per stream the job takes
the longest prefix of rows that are past the table's retention period (audit_retention_policy,
the same rule as the DELETE trigger) and under no active legal hold, and stops at the first row
that is either: a row too young ends the walk; a held row also keeps every later row of the
stream, even expired ones, until the hold is released (they are reported as HELD: *under hold*
or *behind a hold*). The next run after a release purges them.

Rows are grouped into daily windows by creation day (a row created earlier than a row before
it in its stream counts in the later day, so windows follow the chain order). Per window:

1. PLANNED is recorded for every window of the table before anything else happens;
2. the window's rows are read in chain order, every row hash and link recomputed (a tampered
   or gapped prefix is neither archived nor purged: the window FAILS), and written to one archive
   blob (`genims_platform.operations.archive`); the archive is recorded (ARCHIVED, and an
   AUDIT_ARCHIVE document in document_retention_log) with its SHA-256;
3. each stream's rows are purged in chunks of at most `chunk_rows` rows, one short transaction
   per chunk, which locks the stream's head (appends to the stream wait, never fork), checks
   that the chunk is still the start of the stream and its last row still has the archived
   hash, appends a RETENTION_CHECKPOINT (last seq purged and its hash) to
   audit_trail_integrity, declares the purge session and deletes; the trigger re-checks every
   row. A crash leaves every committed chunk with its checkpoint and nothing half-done;
4. PURGED is recorded with the rows deleted; windows with held rows get a HELD row.

The PLACED record (legal_hold_records) of a hold that is still active counts as held, so a
hold that outlives the retention period keeps its business record. Checkpoints in
audit_trail_integrity are audit rows too: when an old part of that table is purged, every
checkpoint in it that is still the latest of its stream is appended again first, so
verification of the purged stream keeps its starting point.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pymysql

from genims_platform.audit.canonical import GENESIS_HASH, canonical_json, row_hash, utc_text
from genims_platform.lib.blob import BlobStore
from genims_platform.lib.errors import GenimsError
from genims_platform.lib.mysql import quote_ident
from genims_platform.lib.sqlfiles import load_sql
from genims_platform.operations.archive import ArchivedRow, archive_name, write_archive
from genims_platform.operations.legal_holds import Hold
from genims_platform.operations.retention_log import RetentionAction, RunInfo, record_actions

SIGNAL = 1644
HOLD_RECORDS = "legal_hold_records"
FIRST_PAGE = 64
"""Rows read first per stream: most streams start with a young row, and the walk ends there."""


class RetentionError(GenimsError):
    """A retention step could not be carried out; what was committed before stays consistent."""


class HoldPlacedMeanwhile(RetentionError):
    """The DELETE trigger found a hold the plan did not know (placed during the run)."""


def _sql(name: str, table: str | None = None) -> str:
    text = load_sql("operations", "retention", name)
    return text.format(table=quote_ident(table)) if table else text


@dataclass
class Segment:
    """Consecutive rows [first_seq, last_seq] of one stream in one window."""

    stream_id: str
    first_seq: int
    last_seq: int
    rows: int
    first_created: datetime
    last_created: datetime

    def chunks(self, size: int) -> Iterator[tuple[int, int]]:
        start = self.first_seq
        while start <= self.last_seq:
            end = min(start + size - 1, self.last_seq)
            yield start, end
            start = end + 1


@dataclass
class Blocked:
    """Rows of one stream in one window that are past retention but kept by a hold."""

    stream_id: str
    under_hold: int = 0
    behind_hold: int = 0
    hold_ids: set[int] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return self.under_hold + self.behind_hold


@dataclass
class WindowPlan:
    day: date
    segments: list[Segment] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=1)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.segments)

    @property
    def held_rows(self) -> int:
        return sum(b.rows for b in self.blocked)

    @property
    def hold_ids(self) -> set[int]:
        return {i for b in self.blocked for i in b.hold_ids}


@dataclass
class TablePlan:
    """What retention would do to one audit table: windows in order."""

    table: str
    period_days: int | None
    cutoff: datetime
    windows: dict[date, WindowPlan] = field(default_factory=dict)

    def window(self, day: date) -> WindowPlan:
        return self.windows.setdefault(day, WindowPlan(day))

    @property
    def ordered(self) -> list[WindowPlan]:
        return [self.windows[d] for d in sorted(self.windows)]

    @property
    def rows(self) -> int:
        return sum(w.rows for w in self.windows.values())

    @property
    def held_rows(self) -> int:
        return sum(w.held_rows for w in self.windows.values())


def database_now(cur) -> datetime:
    cur.execute("SELECT UTC_TIMESTAMP(6)")
    return cur.fetchone()[0]


def retention_days(cur, table: str) -> int | None:
    cur.execute(_sql("retention_period.sql"), {"table": table})
    row = cur.fetchone()
    return int(row[0]) if row else None


def plan_table(
    cur,
    table: str,
    now: datetime,
    holds: list[Hold],
    *,
    page_rows: int = 5000,
    streams: Callable[[str], bool] | None = None,
) -> TablePlan:
    """Walk every stream of `table` from its first row while rows are past retention."""
    days = retention_days(cur, table)
    if days is None:
        return TablePlan(table, None, now)
    plan = TablePlan(table, days, now - timedelta(days=days))
    pinned = _pinned(cur) if table == HOLD_RECORDS else {}
    cur.execute(_sql("audit_streams.sql"), {"table": table})
    for (stream_id,) in cur.fetchall():
        if streams is None or streams(stream_id):
            _walk(cur, plan, stream_id, holds, page_rows, pinned)
    return plan


def _pinned(cur) -> dict[tuple[str, int], int]:
    """(stream, seq) of the PLACED record of every active hold -> the hold."""
    cur.execute(_sql("active_hold_records.sql"))
    return {(r[0], int(r[1])): int(r[2]) for r in cur.fetchall()}


def _walk(
    cur,
    plan: TablePlan,
    stream_id: str,
    holds: list[Hold],
    page_rows: int,
    pinned: dict[tuple[str, int], int],
) -> None:
    relevant = [h for h in holds if h.table in (None, plan.table) and h.stream in (None, stream_id)]
    after, limit = 0, FIRST_PAGE
    day: date | None = None
    segment: Segment | None = None
    blocked: Blocked | None = None
    # The window each open segment / blocked run belongs to: a new day starts a new one.
    segment_day: date | None = None
    blocked_day: date | None = None
    while True:
        cur.execute(
            _sql("audit_stream_rows.sql", plan.table),
            {"stream": stream_id, "after": after, "limit": limit},
        )
        rows = cur.fetchall()
        for seq, created in rows:
            seq = int(seq)
            if created >= plan.cutoff:
                return
            day = max(day, created.date()) if day else created.date()
            window = plan.window(day)
            matching = [h.hold_id for h in relevant if h.covers(plan.table, stream_id, created)]
            if (stream_id, seq) in pinned:
                matching.append(pinned[(stream_id, seq)])
            if blocked is None and not matching:
                if segment is None or segment_day != day:
                    segment, segment_day = Segment(stream_id, seq, seq, 0, created, created), day
                    window.segments.append(segment)
                segment.last_seq, segment.last_created = seq, created
                segment.rows += 1
                continue
            if blocked is None or blocked_day != day:
                blocked, blocked_day = Blocked(stream_id), day
                window.blocked.append(blocked)
            if matching:
                blocked.under_hold += 1
                blocked.hold_ids.update(matching)
            else:
                blocked.behind_hold += 1
        if len(rows) < limit:
            return
        after = int(rows[-1][0])
        limit = min(limit * 4, page_rows)


@dataclass(frozen=True)
class AuditContext:
    """Everything one run of audit retention needs besides the connection."""

    database: str
    store: BlobStore
    container: str
    run: RunInfo
    chunk_rows: int
    dry_run: bool
    log: Callable[[str], None] = lambda message: None


def _action(plan: TablePlan, window: WindowPlan, status: str, rows: int, ctx: AuditContext, **kw):
    return RetentionAction(
        target="audit",
        database=ctx.database,
        table=plan.table,
        window_start=window.start,
        window_end=window.end,
        period_days=plan.period_days or 0,
        cutoff=plan.cutoff,
        status=status,
        rows=rows,
        **kw,
    )


def _segments_detail(segments: list[Segment]) -> list[dict]:
    return [
        {"stream": s.stream_id, "from_seq": s.first_seq, "to_seq": s.last_seq, "rows": s.rows}
        for s in segments
    ]


def _blocked_detail(window: WindowPlan) -> dict:
    return {
        "under_hold": sum(b.under_hold for b in window.blocked),
        "behind_hold": sum(b.behind_hold for b in window.blocked),
        "streams": [
            {
                "stream": b.stream_id,
                "under_hold": b.under_hold,
                "behind_hold": b.behind_hold,
                "hold_ids": sorted(b.hold_ids),
            }
            for b in window.blocked
        ],
    }


def planned_actions(plan: TablePlan, ctx: AuditContext) -> list[RetentionAction]:
    """PLANNED (or DRY_RUN) rows for every window of the plan."""
    status = "DRY_RUN" if ctx.dry_run else "PLANNED"
    out = []
    for window in plan.ordered:
        if not window.rows and not (ctx.dry_run and window.blocked):
            continue
        details = {"streams": _segments_detail(window.segments)}
        if ctx.dry_run and window.blocked:
            details["held"] = _blocked_detail(window)
        out.append(
            _action(
                plan,
                window,
                status,
                window.rows,
                ctx,
                hold_ids=tuple(sorted(window.hold_ids)) if ctx.dry_run else (),
                details=details,
            )
        )
    return out


def held_actions(plan: TablePlan, ctx: AuditContext) -> list[RetentionAction]:
    return [
        _action(
            plan,
            w,
            "HELD",
            w.held_rows,
            ctx,
            hold_ids=tuple(sorted(w.hold_ids)),
            details=_blocked_detail(w),
        )
        for w in plan.ordered
        if w.blocked
    ]


@dataclass
class Anchor:
    """The last row purged of a stream (seq 0 and the genesis hash when none)."""

    seq: int
    hash: str


def _anchors(cur) -> dict[str, Anchor]:
    from genims_platform.audit.verify import _checkpoints

    return {s: Anchor(seq, digest) for s, (seq, digest) in _checkpoints(cur).items()}


def _archived_rows(
    conn,
    table: str,
    segments: list[Segment],
    anchors: dict[str, Anchor],
    chunk_rows: int,
    problems: list[str],
    chunk_ends: dict[tuple[str, int], str],
) -> Iterator[ArchivedRow]:
    """The window's rows in chain order, each hash and link recomputed on the way; the hash of
    every chunk's last row is kept in `chunk_ends` (the purge checks it is unchanged)."""
    with conn.cursor() as cur:
        for segment in segments:
            anchor = anchors.get(segment.stream_id)
            expected = Anchor(0, GENESIS_HASH) if segment.first_seq == 1 else anchor
            if expected is None or expected.seq != segment.first_seq - 1:
                problems.append(
                    f"{segment.stream_id}: rows before seq {segment.first_seq} are missing and no "
                    "retention checkpoint covers them"
                )
                return
            previous, next_seq = expected.hash, segment.first_seq
            for start, end in segment.chunks(chunk_rows):
                cur.execute(
                    _sql("audit_archive_rows.sql", table),
                    {"stream": segment.stream_id, "first": start, "last": end},
                )
                for seq, prev, digest, payload in cur.fetchall():
                    seq = int(seq)
                    if seq != next_seq:
                        problems.append(f"{segment.stream_id}: seq {next_seq} missing")
                        return
                    if (
                        prev != previous
                        or row_hash(segment.stream_id, seq, prev, payload) != digest
                    ):
                        problems.append(
                            f"{segment.stream_id}: seq {seq} does not match its hash or link"
                        )
                        return
                    previous, next_seq = digest, seq + 1
                    yield ArchivedRow(
                        table, segment.stream_id, seq, prev, digest, bytes(payload).decode("utf-8")
                    )
                if next_seq != end + 1:
                    problems.append(f"{segment.stream_id}: seq {next_seq}..{end} missing")
                    return
                chunk_ends[(segment.stream_id, end)] = previous
    conn.commit()


def _checkpoint(
    stream: str, first: int, last: int, digest: str, now: datetime, details: dict
) -> dict:
    return {
        "verification_timestamp": utc_text(now),
        "verification_type": "RETENTION_CHECKPOINT",
        "verified_stream": stream,
        "audit_log_id": last,
        "from_seq": first,
        "head_hash_sha256": digest,
        "rows_verified": last - first + 1,
        "streams_verified": 1,
        "verification_status": "VALID",
        "problems": None,
        "details": canonical_json(details),
        "digest_sha256": None,
        "digest_location": None,
        "verified_by": "retention job",
        "duration_ms": 0,
        "created_at": utc_text(now),
    }


def _carried_checkpoints(cur, stream: str, first: int, last: int, now: datetime) -> list[dict]:
    """Checkpoints stored in the rows about to be purged that are still the latest of their
    stream, appended again so verification keeps its starting point."""
    cur.execute(_sql("checkpoints_in_range.sql"), {"stream": stream, "first": first, "last": last})
    latest: dict[str, tuple] = {}
    for verified_stream, seq, from_seq, digest, elsewhere in cur.fetchall():
        if elsewhere is not None and int(elsewhere) >= int(seq):
            continue
        if verified_stream not in latest or int(seq) > int(latest[verified_stream][0]):
            latest[verified_stream] = (seq, from_seq, digest)
    return [
        _checkpoint(
            s,
            int(from_seq or seq),
            int(seq),
            digest,
            now,
            {"carried_forward_from": {"stream": stream, "from_seq": first, "to_seq": last}},
        )
        for s, (seq, from_seq, digest) in sorted(latest.items())
    ]


def purge_chunk(
    conn,
    table: str,
    stream: str,
    first: int,
    last: int,
    expected_hash: str,
    *,
    details: dict,
    now: datetime | None = None,
) -> int:
    """Checkpoint and delete rows [first, last] at the start of `stream`, in one transaction."""
    from genims_platform.audit.chain import begin_append, lock_heads
    from genims_platform.audit.verify import INTEGRITY, write_integrity

    now = now or datetime.now(UTC)
    try:
        begin_append(conn)
        with conn.cursor() as cur:
            lock_heads(cur, {stream: table})
            cur.execute(_sql("audit_first_row.sql", table), {"stream": stream})
            row = cur.fetchone()
            if row is None or int(row[0]) != first:
                raise RetentionError(
                    f"{stream}: expected the stream to start at seq {first}, it starts at "
                    f"{'nothing' if row is None else row[0]} (purged or changed meanwhile)"
                )
            cur.execute(_sql("audit_row_hash.sql", table), {"stream": stream, "seq": last})
            row = cur.fetchone()
            if row is None or row[0] != expected_hash:
                raise RetentionError(
                    f"{stream}: seq {last} changed after it was archived; not purged"
                )
            checkpoints = [_checkpoint(stream, first, last, expected_hash, now, details)]
            if table == INTEGRITY:
                checkpoints += _carried_checkpoints(cur, stream, first, last, now)
            write_integrity(cur, checkpoints, "retention", now)
            cur.execute("SET @genims_retention_purge = 'on'")
            try:
                deleted = cur.execute(
                    _sql("audit_purge.sql", table), {"stream": stream, "first": first, "last": last}
                )
            except pymysql.err.MySQLError as error:
                code, message = (*error.args, "")[:2]
                if code == SIGNAL and "legal hold" in str(message):
                    raise HoldPlacedMeanwhile(
                        f"{stream}: a legal hold placed during the run covers seq {first}..{last}"
                    ) from None
                raise
            finally:
                cur.execute("SET @genims_retention_purge = NULL")
            if deleted != last - first + 1:
                raise RetentionError(
                    f"{stream}: {deleted} of {last - first + 1} rows deleted; rolled back"
                )
        conn.commit()
        return deleted
    except BaseException:
        conn.rollback()
        raise


def execute_table(conn, plan: TablePlan, ctx: AuditContext) -> list[RetentionAction]:
    """Record the plan, then archive and purge its windows in order (nothing but the record
    in a dry run); returns every action recorded. A failure records FAILED for the window
    and stops the table: later windows depend on the earlier ones being gone."""
    recorded: list[RetentionAction] = []

    def record(actions: list[RetentionAction], documents: list | None = None) -> None:
        record_actions(conn, actions, documents or [], ctx.run)
        recorded.extend(actions)

    record(planned_actions(plan, ctx))
    if ctx.dry_run:
        return recorded
    with conn.cursor() as cur:
        anchors = _anchors(cur)
    conn.commit()
    stopped: set[str] = set()
    for window in plan.ordered:
        segments = [s for s in window.segments if s.stream_id not in stopped]
        for segment in window.segments:
            if segment.stream_id in stopped:
                window.blocked.append(Blocked(segment.stream_id, behind_hold=segment.rows))
        if not segments:
            continue
        try:
            _archive_and_purge(conn, plan, window, segments, anchors, stopped, ctx, record)
        except (GenimsError, pymysql.err.MySQLError) as error:
            conn.rollback()
            failed = _action(
                plan,
                window,
                "FAILED",
                sum(s.rows for s in segments),
                ctx,
                details={"error": str(error)[:2000]},
            )
            record([failed])
            ctx.log(f"retention of {plan.table} {window.day} failed: {error}")
            break
    record(held_actions(plan, ctx))
    return recorded


def _archive_and_purge(conn, plan, window, segments, anchors, stopped, ctx, record) -> None:
    from genims_platform.operations.documents import DocumentAction

    started = clock.perf_counter()
    problems: list[str] = []
    chunk_ends: dict[tuple[str, int], str] = {}
    name = archive_name(ctx.database, plan.table, window.day, datetime.now(UTC))
    expected = sum(s.rows for s in segments)

    def verified(count: int) -> None:
        if problems or count != expected:
            raise RetentionError(
                f"{plan.table} {window.day}: the rows to purge do not verify; nothing was "
                "archived or purged: " + "; ".join(problems or [f"{count} of {expected} rows read"])
            )

    archive = write_archive(
        ctx.store,
        ctx.container,
        name,
        _archived_rows(conn, plan.table, segments, anchors, ctx.chunk_rows, problems, chunk_ends),
        database=ctx.database,
        table=plan.table,
        created_from=min(s.first_created for s in segments),
        created_to=max(s.last_created for s in segments),
        run_id=ctx.run.run_id,
        streams=[s.stream_id for s in segments],
        check=verified,
    )
    record(
        [
            _action(
                plan,
                window,
                "ARCHIVED",
                archive.rows,
                ctx,
                archive_location=archive.location,
                archive_sha256=archive.sha256,
                details={"streams": _segments_detail(segments), "size_bytes": archive.size},
            )
        ],
        [
            DocumentAction(
                container=archive.container,
                name=archive.name,
                document_type="AUDIT_ARCHIVE",
                action="CREATED",
                retention_requirement=f"{plan.table}: rows purged after {plan.period_days} days",
                performed_by=ctx.run.performed_by,
                size_bytes=archive.size,
                sha256=archive.sha256,
                details={
                    "table": plan.table,
                    "window": window.day.isoformat(),
                    "rows": archive.rows,
                },
            )
        ],
    )
    ranges = []
    for segment in segments:
        purged = 0
        for first, last in segment.chunks(ctx.chunk_rows):
            digest = chunk_ends[(segment.stream_id, last)]
            try:
                purged += purge_chunk(
                    conn,
                    plan.table,
                    segment.stream_id,
                    first,
                    last,
                    digest,
                    details={"run_id": ctx.run.run_id, "archive": archive.location},
                )
            except HoldPlacedMeanwhile as error:
                stopped.add(segment.stream_id)
                window.blocked.append(
                    Blocked(segment.stream_id, behind_hold=segment.last_seq - first + 1)
                )
                ctx.log(str(error))
                break
            anchors[segment.stream_id] = Anchor(last, digest)
        if purged:
            ranges.append(
                {
                    "stream": segment.stream_id,
                    "from_seq": segment.first_seq,
                    "to_seq": segment.first_seq + purged - 1,
                    "rows": purged,
                }
            )
    record(
        [
            _action(
                plan,
                window,
                "PURGED",
                sum(r["rows"] for r in ranges),
                ctx,
                archive_location=archive.location,
                archive_sha256=archive.sha256,
                details={
                    "streams": ranges,
                    "milliseconds": int((clock.perf_counter() - started) * 1000),
                },
            )
        ]
    )
