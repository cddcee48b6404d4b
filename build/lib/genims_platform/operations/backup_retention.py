"""How long each database backup is kept, and the sweep that deletes the expired ones.

Rules (BACKUP_* settings, days counted from when the backup was taken, UTC):

* reporting: every backup is kept `retention_days` (30);
* analytics: the backup taken on `analytics_weekly_day` (Sunday) is the weekly full backup and is
  kept `analytics_retention_days` (365); the other days' backups are kept `retention_days`;
* audit: every backup is kept `audit_retention_days` (2555, seven years) and made immutable
  until then where the blob store supports it.

The sweep (`apply_retention`) deletes a backup (its dump and its manifest) once its keep-until
day has passed, except when:

* it is the newest backup of the database that passed its restore verification (a run of
  failing nights never leaves a database without a verified backup);
* a legal hold keeps it: its latest hold action in `document_retention_log` is HELD (the hold
  sync of the retention job), or, for audit backups, an active `audit_legal_hold` started
  before the backup was taken (the backup contains rows the hold covers);
* the store refuses (an immutability policy or a blob legal hold).

Those are RETAINED; every deletion is DELETED, both recorded in `document_retention_log`. The
clock is a parameter, so the rules are tested without waiting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from genims_platform.lib.blob import BlobError, BlobImmutableError, BlobInfo, BlobStore
from genims_platform.lib.sqlfiles import load_sql

DOCUMENT_TYPE = "BACKUP"
DUMP_SUFFIX = ".sql.gz"
MANIFEST_SUFFIX = ".manifest.json"
STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(
    r"^(?P<db>[A-Za-z0-9_]+)/\d{4}/\d{2}/\d{2}/(?P=db)-(?P<stamp>\d{8}T\d{12}Z)"
    r"(?P<suffix>\.sql\.gz|\.manifest\.json)$"
)


def backup_name(database: str, taken_at: datetime) -> str:
    """``<db>/<YYYY>/<MM>/<DD>/<db>-<YYYYmmddTHHMMSSffffff>Z.sql.gz`` (UTC)."""
    at = taken_at.astimezone(UTC)
    return f"{database}/{at:%Y/%m/%d}/{database}-{at.strftime(STAMP)}{DUMP_SUFFIX}"


def manifest_name(dump_name: str) -> str:
    """The manifest that sits next to a dump."""
    return dump_name.removesuffix(DUMP_SUFFIX) + MANIFEST_SUFFIX


@dataclass(frozen=True)
class BackupBlob:
    """A blob of the backup container named as a backup of `database` taken at `taken_at`."""

    database: str
    taken_at: datetime
    name: str
    is_manifest: bool

    @property
    def dump_name(self) -> str:
        return (
            self.name.removesuffix(MANIFEST_SUFFIX) + DUMP_SUFFIX if self.is_manifest else self.name
        )


def parse_backup_name(name: str) -> BackupBlob | None:
    """The database and time a backup blob's name encodes (None: not a backup blob)."""
    match = _NAME.match(name)
    if match is None:
        return None
    taken = datetime.strptime(match.group("stamp"), STAMP).replace(tzinfo=UTC)
    return BackupBlob(match.group("db"), taken, name, match.group("suffix") == MANIFEST_SUFFIX)


@dataclass(frozen=True)
class RetentionRule:
    """What keeps one backup: the rule's wording (recorded with every action), its period and
    whether the blobs are made immutable for that period."""

    label: str
    keep_days: int
    immutable: bool = False

    def keep_until(self, taken_at: datetime) -> date:
        """Last day (UTC) the backup is kept; it may be deleted from the day after."""
        return (taken_at.astimezone(UTC) + timedelta(days=self.keep_days)).date()

    def expired(self, taken_at: datetime, now: datetime) -> bool:
        return now.astimezone(UTC).date() > self.keep_until(taken_at)


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class RetentionPolicy:
    """The BACKUP_* retention settings."""

    retention_days: int = 30
    analytics_retention_days: int = 365
    analytics_weekly_day: int = 6
    audit_retention_days: int = 2555

    @classmethod
    def from_settings(cls, backup) -> RetentionPolicy:
        return cls(
            retention_days=backup.retention_days,
            analytics_retention_days=backup.analytics_retention_days,
            analytics_weekly_day=backup.analytics_weekly_day,
            audit_retention_days=backup.audit_retention_days,
        )

    def rule(self, logical: str, taken_at: datetime) -> RetentionRule:
        if logical == "audit":
            return RetentionRule(
                f"audit backups: {self.audit_retention_days} days, immutable",
                self.audit_retention_days,
                immutable=True,
            )
        if logical == "analytics":
            weekday = WEEKDAY_NAMES[self.analytics_weekly_day]
            if taken_at.astimezone(UTC).weekday() == self.analytics_weekly_day:
                return RetentionRule(
                    f"analytics weekly full backup ({weekday}): "
                    f"{self.analytics_retention_days} days",
                    self.analytics_retention_days,
                )
            return RetentionRule(
                f"analytics daily backup (not {weekday}): {self.retention_days} days",
                self.retention_days,
            )
        return RetentionRule(f"{logical} backups: {self.retention_days} days", self.retention_days)


@dataclass(frozen=True)
class KeptBackup:
    """Backups of a database found in the container, grouped: the dump and its manifest."""

    database: str
    taken_at: datetime
    dump: BlobInfo | None
    manifest: BlobInfo | None

    @property
    def name(self) -> str:
        if self.dump is not None:
            return self.dump.name
        assert self.manifest is not None
        return self.manifest.name.removesuffix(MANIFEST_SUFFIX) + DUMP_SUFFIX

    @property
    def complete(self) -> bool:
        return self.dump is not None and self.manifest is not None


def list_backups(store: BlobStore, container: str, database: str) -> list[KeptBackup]:
    """Every backup of `database` in `container`, oldest first (blobs not named like a
    backup are ignored)."""
    groups: dict[str, dict[str, BlobInfo]] = {}
    taken: dict[str, datetime] = {}
    for info in store.list(container, prefix=f"{database}/"):
        parsed = parse_backup_name(info.name)
        if parsed is None or parsed.database != database:
            continue
        kind = "manifest" if parsed.is_manifest else "dump"
        groups.setdefault(parsed.dump_name, {})[kind] = info
        taken[parsed.dump_name] = parsed.taken_at
    return [
        KeptBackup(database, taken[name], parts.get("dump"), parts.get("manifest"))
        for name, parts in sorted(groups.items(), key=lambda item: (taken[item[0]], item[0]))
    ]


@dataclass
class RetentionOutcome:
    """What one sweep did: DocumentActions to record, and the names per decision."""

    deleted: list[str] = field(default_factory=list)
    retained: dict[str, str] = field(default_factory=dict)
    kept: int = 0
    actions: list = field(default_factory=list)


@dataclass(frozen=True)
class HoldState:
    """What the audit database says about holds: documents whose latest hold action is HELD,
    and the start of every active audit_legal_hold (None: from the beginning)."""

    held_documents: frozenset[str] = frozenset()
    active_hold_starts: tuple[datetime | None, ...] = ()

    def holds_audit_backup(self, taken_at: datetime) -> bool:
        naive = taken_at.astimezone(UTC).replace(tzinfo=None)
        return any(start is None or start <= naive for start in self.active_hold_starts)


def read_hold_state(conn) -> HoldState:
    """Holds that keep backups, read from the live audit database."""
    with conn.cursor() as cur:
        cur.execute(load_sql("operations", "backup", "held_backups.sql"))
        held = frozenset(r[0] for r in cur.fetchall())
        cur.execute(load_sql("operations", "backup", "active_hold_starts.sql"))
        starts = tuple(r[0] for r in cur.fetchall())
    conn.commit()
    return HoldState(held, starts)


def like_prefix(text: str) -> str:
    """A LIKE pattern matching every string that starts with `text`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def newest_verified(conn, container: str, database: str) -> str | None:
    """Location (container/name) of the newest backup of `database` whose latest restore
    verification passed."""
    with conn.cursor() as cur:
        cur.execute(
            load_sql("operations", "backup", "verifications.sql"),
            {"prefix": like_prefix(f"{container}/{database}/")},
        )
        latest: dict[str, str] = {}
        for document_id, action in cur.fetchall():
            latest[document_id] = action
    conn.commit()
    passed = [doc for doc, action in latest.items() if action == "VERIFIED"]
    dated = [(parse_backup_name(doc.partition("/")[2]), doc) for doc in passed]
    dated = [(parsed.taken_at, doc) for parsed, doc in dated if parsed is not None]
    return max(dated)[1] if dated else None


def apply_retention(
    store: BlobStore,
    container: str,
    database: str,
    logical: str,
    policy: RetentionPolicy,
    *,
    now: datetime,
    holds: HoldState,
    protected: Iterable[str] = (),
    performed_by: str,
    log: Callable[[str], None] = lambda message: None,
) -> RetentionOutcome:
    """Delete the expired backups of `database` (see the module docstring); returns the
    DocumentActions to record (the caller appends them to document_retention_log)."""
    from genims_platform.operations.documents import DocumentAction

    outcome = RetentionOutcome()
    keep = set(protected)
    for backup in list_backups(store, container, database):
        rule = policy.rule(logical, backup.taken_at)
        if not rule.expired(backup.taken_at, now):
            outcome.kept += 1
            continue
        location = f"{container}/{backup.name}"
        reason = None
        if location in keep:
            reason = "the newest backup of the database that passed restore verification"
        elif location in holds.held_documents:
            reason = "under a legal hold (document_retention_log: HELD)"
        elif logical == "audit" and holds.holds_audit_backup(backup.taken_at):
            reason = "an active legal hold covers audit rows this backup contains"
        deleted: list[BlobInfo] = []
        if reason is None:
            # The dump goes first: a manifest without its dump is harmless, never the reverse.
            for part in (backup.dump, backup.manifest):
                if part is None:
                    continue
                try:
                    store.delete(container, part.name)
                    deleted.append(part)
                except BlobImmutableError as error:
                    reason = f"the store refused the deletion: {error}"
                    break
                except BlobError as error:
                    reason = f"deletion failed, kept for the next sweep: {error}"
                    break
        dump = backup.dump or backup.manifest
        common = {
            "container": container,
            "name": backup.name,
            "document_type": DOCUMENT_TYPE,
            "retention_requirement": rule.label,
            "performed_by": performed_by,
            "deletion_scheduled": rule.keep_until(backup.taken_at) + timedelta(days=1),
            "size_bytes": dump.size if dump else None,
            "sha256": backup.dump.sha256 if backup.dump else None,
        }
        details = {
            "taken_at": backup.taken_at.isoformat(),
            "keep_until": rule.keep_until(backup.taken_at).isoformat(),
            "deleted": [part.name for part in deleted],
        }
        if reason is None:
            outcome.deleted.append(backup.name)
            outcome.actions.append(DocumentAction(action="DELETED", details=details, **common))
            log(f"deleted expired backup {location}")
        else:
            outcome.retained[backup.name] = reason
            outcome.actions.append(
                DocumentAction(action="RETAINED", details={**details, "reason": reason}, **common)
            )
            log(f"kept expired backup {location}: {reason}")
    return outcome
