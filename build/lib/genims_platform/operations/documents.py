"""`document_retention_log`: the one place that records what happened to a stored document.

Backups, audit archives, exported digests and compliance reports live in blob storage; every
action on one of them (created, verified, retained, expired and deleted) appends a row to the
audit database's `document_retention_log`, hash-chained like every audit row (one stream per
document type), so the record of what was kept and destroyed is itself tamper-evident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from genims_platform.audit.canonical import canonical_json, utc_text

TABLE = "document_retention_log"
COLUMNS = (
    "document_id",
    "retention_date",
    "document_type",
    "action",
    "retention_requirement",
    "deletion_scheduled_date",
    "deletion_executed_date",
    "archived_location",
    "size_bytes",
    "sha256",
    "details",
    "performed_by",
    "created_at",
)
DOCUMENT_TYPES = ("BACKUP", "AUDIT_ARCHIVE", "AUDIT_DIGEST", "COMPLIANCE_REPORT")
ACTIONS = ("CREATED", "VERIFIED", "VERIFY_FAILED", "RETAINED", "DELETED", "HELD", "RELEASED")
"""HELD and RELEASED: a legal hold on the stored object was set or cleared."""


@dataclass(frozen=True)
class DocumentAction:
    """One action on one stored document."""

    container: str
    name: str
    document_type: str
    action: str
    retention_requirement: str
    performed_by: str
    deletion_scheduled: date | None = None
    size_bytes: int | None = None
    sha256: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.document_type not in DOCUMENT_TYPES:
            raise ValueError(f"unknown document type {self.document_type!r}")
        if self.action not in ACTIONS:
            raise ValueError(f"unknown document action {self.action!r}")

    @property
    def location(self) -> str:
        return f"{self.container}/{self.name}"

    def values(self, now: datetime) -> dict[str, Any]:
        stamp = utc_text(now)
        return {
            "document_id": self.location[:512],
            "retention_date": stamp,
            "document_type": self.document_type,
            "action": self.action,
            "retention_requirement": self.retention_requirement[:255],
            "deletion_scheduled_date": self.deletion_scheduled,
            "deletion_executed_date": stamp if self.action == "DELETED" else None,
            "archived_location": self.location[:512],
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "details": canonical_json(dict(self.details)) if self.details else None,
            "performed_by": self.performed_by[:255],
            "created_at": stamp,
        }


def record_document_actions(
    cur, actions: Iterable[DocumentAction], now: datetime | None = None
) -> int:
    """Append `actions` to document_retention_log inside the caller's transaction (the caller
    commits; see `genims_platform.audit.chain.begin_append`). Returns the rows appended."""
    from genims_platform.audit.chain import ChainedRow, append_chained, lock_heads, save_heads

    now = now or datetime.now(UTC)
    rows = [ChainedRow(f"{TABLE}/{a.document_type.lower()}", a.values(now)) for a in actions]
    if not rows:
        return 0
    heads = lock_heads(cur, {row.stream_id: TABLE for row in rows})
    count = append_chained(cur, TABLE, COLUMNS, rows, heads)
    save_heads(cur, heads.values(), now)
    return count
