"""`data_retention_schedule`: the record of everything the retention job did.

Each row is one action on one table for one window: PLANNED (what the run set out to delete),
ARCHIVED (audit rows written to blob storage first), PURGED (deleted), HELD (past retention but
kept by a legal hold), DRY_RUN (what a dry run would delete; nothing else happens in a dry run)
or FAILED (with the reason in `details`). Rows are hash-chained like every audit row, one stream
per pruned database (``data_retention_schedule/reporting``, ``data_retention_schedule/audit``),
so the record of what was destroyed is itself tamper-evident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from genims_platform.audit.canonical import canonical_json, utc_text

TABLE = "data_retention_schedule"
STATUSES = ("PLANNED", "ARCHIVED", "PURGED", "HELD", "DRY_RUN", "FAILED")
COLUMNS = (
    "run_id",
    "database_name",
    "table_name",
    "window_start",
    "window_end",
    "retention_period_years",
    "retention_period_days",
    "deletion_date_calculated",
    "deletion_status",
    "rows_affected",
    "archive_location",
    "archive_sha256",
    "hold_ids",
    "last_review_date",
    "next_review_date",
    "details",
    "performed_by",
    "created_at",
)


@dataclass(frozen=True)
class RunInfo:
    """Who runs the retention job, as which run, and when it reviews again."""

    run_id: str
    performed_by: str
    review_date: date
    next_review_date: date


@dataclass(frozen=True)
class RetentionAction:
    """One action on one table for one window [window_start, window_end) (UTC)."""

    target: str
    database: str
    table: str
    window_start: datetime
    window_end: datetime
    period_days: int
    cutoff: datetime
    status: str
    rows: int
    archive_location: str | None = None
    archive_sha256: str | None = None
    hold_ids: tuple[int, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown retention status {self.status!r}")

    @property
    def stream_id(self) -> str:
        return f"{TABLE}/{self.target}"

    def values(self, run: RunInfo, now: datetime) -> dict[str, Any]:
        years = (Decimal(self.period_days) / Decimal(365)).quantize(Decimal("0.01"))
        holds = ",".join(str(h) for h in sorted(set(self.hold_ids))) or None
        return {
            "run_id": run.run_id[:64],
            "database_name": self.database,
            "table_name": self.table,
            "window_start": utc_text(self.window_start),
            "window_end": utc_text(self.window_end),
            "retention_period_years": years,
            "retention_period_days": self.period_days,
            "deletion_date_calculated": utc_text(self.cutoff),
            "deletion_status": self.status,
            "rows_affected": self.rows,
            "archive_location": self.archive_location,
            "archive_sha256": self.archive_sha256,
            "hold_ids": holds[:512] if holds else None,
            "last_review_date": run.review_date,
            "next_review_date": run.next_review_date,
            "details": canonical_json(dict(self.details)) if self.details else None,
            "performed_by": run.performed_by[:255],
            "created_at": utc_text(now),
        }


def append_actions(
    cur, actions: Iterable[RetentionAction], run: RunInfo, now: datetime | None = None
) -> int:
    """Append `actions` inside the caller's append transaction (see
    `genims_platform.audit.chain.begin_append`); the caller commits."""
    from genims_platform.audit.chain import ChainedRow, append_chained, lock_heads, save_heads

    now = now or datetime.now(UTC)
    rows = [ChainedRow(a.stream_id, a.values(run, now)) for a in actions]
    if not rows:
        return 0
    heads = lock_heads(cur, {row.stream_id: TABLE for row in rows})
    count = append_chained(cur, TABLE, COLUMNS, rows, heads)
    save_heads(cur, heads.values(), now)
    return count


def record_actions(
    conn, actions: Sequence[RetentionAction], documents: Sequence, run: RunInfo
) -> None:
    """Append retention actions, and document actions (document_retention_log), in one
    transaction of their own."""
    from genims_platform.audit.chain import begin_append
    from genims_platform.operations.documents import record_document_actions

    if not actions and not documents:
        return
    now = datetime.now(UTC)
    try:
        begin_append(conn)
        with conn.cursor() as cur:
            append_actions(cur, actions, run, now)
            record_document_actions(cur, documents, now)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
