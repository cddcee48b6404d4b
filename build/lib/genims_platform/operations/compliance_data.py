"""What the daily compliance report says, gathered from the audit database and the Dagster
instance for one UTC day.

`gather` reads everything inside one consistent read snapshot of the audit database (so the
figures of one report agree with each other even while the pipeline keeps appending) and returns
a `ComplianceData`: plain values, no layout. Rendering is `compliance_pdf`'s job.

What each figure means (the day is [00:00, 24:00) UTC):

* **Audit volume**: rows appended that day (by their immutable `created_at`) to every
  hash-chained audit table, per table and per feed. The feed is the part of the stream id after
  the table name: one of the 13 source databases, ``dagster`` (the platform's own runs and
  checks), ``mysql`` (schema migrations), ``platform`` (full and digest verifications); streams
  of source-derived tables, stored documents and retention work count as ``other``.
* **Hash chains and digests**: verifications recorded that day per kind, and the latest FULL
  verification, digest export and digest check recorded before the end of the day.
* **Backups**: every BACKUP action of `document_retention_log` that day (CREATED, VERIFIED,
  VERIFY_FAILED, DELETED); a VERIFY_FAILED is a restore verification that failed.
* **Retention**: `data_retention_schedule` rows of the day per table and outcome.
* **Legal holds**: holds of `audit_legal_hold` active at the end of the day, and the holds
  placed or released that day (`legal_hold_records`).
* **SLA compliance**: SLA measurements appended that day per type and outcome; compliance is
  MET / (MET + BREACHED).
* **Security events** of the day per type and severity, and per hour.
* **GDPR requests** as known at the end of the day (latest version of each request).
* **Asset checks** executed that day (`validation_rule_execution`), with every failure.
* **Freshness violations**: freshness-state changes of the day to WARN or FAIL, read from the
  Dagster instance's event log (the FreshnessDaemon records each change as a runless event;
  the instance keeps only the current state otherwise).
"""

# SQL comes from sql/operations/report/; the only composed part is the name of a chained table
# read from the audit database's own catalogue, always through quote_ident.

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib.errors import GenimsError
from genims_platform.lib.mysql import quote_ident
from genims_platform.lib.sqlfiles import load_sql

OTHER_FEED = "other"
FEEDS = (*SOURCE_DATABASES, "dagster", "mysql", "platform", OTHER_FEED)
"""Feeds of the audit volume, in report order: the 13 source databases, then the platform."""

BACKUP_ACTIONS = ("CREATED", "VERIFIED", "VERIFY_FAILED", "DELETED")
SLA_OUTCOMES = ("MET", "BREACHED", "PENDING")
VERIFICATION_KINDS = (
    "FULL",
    "DIGEST_EXPORT",
    "DIGEST_CHECK",
    "INCREMENTAL",
    "RETENTION_CHECKPOINT",
)
FAILED_CHECKS_LISTED = 60
"""Failed checks listed one by one; the counts always cover all of them."""

FULL_VERIFICATION_MAX_AGE = timedelta(hours=48)
"""A full verification runs daily; an older one at the end of the day is a finding."""
DIGEST_MAX_AGE = timedelta(hours=24)
"""Digests are exported hourly; none in the day's last 24 hours is a finding."""

RETENTION_TABLE = "data_retention_schedule"
HOLD_RECORDS_TABLE = "legal_hold_records"


class ReportDataError(GenimsError):
    """The report's data could not be read; the message says from where."""


@dataclass(frozen=True)
class TableVolume:
    table: str
    streams: int
    rows: int


@dataclass(frozen=True)
class AuditVolume:
    """Rows appended during the day: per feed (every feed listed, zeros included) and per
    chained table (every table listed)."""

    by_feed: tuple[tuple[str, int], ...]
    by_table: tuple[TableVolume, ...]

    @property
    def total(self) -> int:
        return sum(t.rows for t in self.by_table)


@dataclass(frozen=True)
class VerificationRuns:
    kind: str
    runs: int
    valid: int
    not_valid: int
    rows_verified: int
    last_at: datetime | None


@dataclass(frozen=True)
class LatestVerification:
    kind: str
    at: datetime
    status: str
    rows: int
    streams: int
    problems: str | None
    digest_sha256: str | None
    digest_location: str | None
    verified_by: str


@dataclass(frozen=True)
class IntegrityStatus:
    """Verifications of the day per kind (every kind listed) and the latest of the kinds an
    auditor relies on, as of the end of the day."""

    by_kind: tuple[VerificationRuns, ...]
    latest_full: LatestVerification | None
    latest_digest_export: LatestVerification | None
    latest_digest_check: LatestVerification | None

    @property
    def tampered_runs(self) -> int:
        return sum(k.not_valid for k in self.by_kind)


@dataclass(frozen=True)
class DocumentEvent:
    at: datetime
    document_id: str
    action: str
    size_bytes: int | None
    sha256: str | None
    details: str | None
    performed_by: str


@dataclass(frozen=True)
class BackupActivity:
    events: tuple[DocumentEvent, ...]

    def count(self, action: str) -> int:
        return sum(1 for e in self.events if e.action == action)

    @property
    def counts(self) -> dict[str, int]:
        extra = sorted({e.action for e in self.events} - set(BACKUP_ACTIONS))
        return {a: self.count(a) for a in (*BACKUP_ACTIONS, *extra)}


@dataclass(frozen=True)
class RetentionAction:
    table: str
    status: str
    actions: int
    rows_affected: int


@dataclass(frozen=True)
class RetentionActivity:
    available: bool
    actions: tuple[RetentionAction, ...] = ()

    def total(self, status: str | None = None) -> int:
        return sum(a.actions for a in self.actions if status is None or a.status == status)


@dataclass(frozen=True)
class ActiveHold:
    hold_id: int
    legal_matter_id: str
    table_name: str | None
    stream_id: str | None
    covers_from: datetime | None
    covers_to: datetime | None
    placed_by: str
    placed_at: datetime


@dataclass(frozen=True)
class HoldRecord:
    at: datetime
    hold_id: str
    action: str
    legal_matter_id: str
    case_name: str | None


@dataclass(frozen=True)
class LegalHolds:
    active: tuple[ActiveHold, ...]
    records_available: bool
    records: tuple[HoldRecord, ...] = ()

    def recorded(self, action: str) -> int:
        return sum(1 for r in self.records if r.action == action)


@dataclass(frozen=True)
class SlaRow:
    sla_type: str
    met: int
    breached: int
    pending: int

    @property
    def total(self) -> int:
        return self.met + self.breached + self.pending


@dataclass(frozen=True)
class SlaCompliance:
    rows: tuple[SlaRow, ...]

    @property
    def met(self) -> int:
        return sum(r.met for r in self.rows)

    @property
    def breached(self) -> int:
        return sum(r.breached for r in self.rows)

    @property
    def pending(self) -> int:
        return sum(r.pending for r in self.rows)

    @property
    def compliance_ratio(self) -> float | None:
        """MET / (MET + BREACHED); None when nothing was decided."""
        decided = self.met + self.breached
        return self.met / decided if decided else None


@dataclass(frozen=True)
class SecurityEvents:
    by_type: tuple[tuple[str, str, int], ...]
    """(event type, severity, events)"""
    by_hour: tuple[int, ...]
    """Events per UTC hour, 24 values."""

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.by_type)


@dataclass(frozen=True)
class GdprRow:
    request_type: str
    received: int
    completed: int
    denied: int
    answered_late: int
    still_open: int
    overdue: int


@dataclass(frozen=True)
class GdprRequests:
    rows: tuple[GdprRow, ...]

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.rows)


@dataclass(frozen=True)
class FailedCheck:
    at: datetime
    rule_name: str
    entity: str
    partition_key: str | None
    severity: str
    records_failed: int | None
    reason: str | None
    run_id: str | None


@dataclass(frozen=True)
class AssetChecks:
    executed: int
    passed: int
    failed_by_severity: tuple[tuple[str, int], ...]
    failures: tuple[FailedCheck, ...]

    @property
    def failed(self) -> int:
        return sum(n for _, n in self.failed_by_severity)


@dataclass(frozen=True)
class FreshnessViolation:
    asset: str
    transitions: int
    worst_state: str
    first_at: datetime
    state_at_end: str


@dataclass(frozen=True)
class Freshness:
    available: bool
    note: str
    violations: tuple[FreshnessViolation, ...] = ()

    @property
    def failed(self) -> int:
        return sum(1 for v in self.violations if v.worst_state == "FAIL")


@dataclass(frozen=True)
class ComplianceData:
    """Everything the compliance report of `day` states."""

    day: date
    database: str
    generated_at: datetime
    volume: AuditVolume
    integrity: IntegrityStatus
    backups: BackupActivity
    retention: RetentionActivity
    legal_holds: LegalHolds
    sla: SlaCompliance
    security: SecurityEvents
    gdpr: GdprRequests
    checks: AssetChecks
    freshness: Freshness
    gather_seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def findings(self) -> list[str]:
        """What needs an auditor's attention, one line each (empty: nothing)."""
        out = []
        end = day_bounds(self.day)[1]
        integrity = self.integrity
        full, export, check = (
            integrity.latest_full,
            integrity.latest_digest_export,
            integrity.latest_digest_check,
        )
        if full is None:
            out.append("No full verification of the hash chains has been recorded.")
        elif full.status != "VALID":
            out.append(f"The latest full verification found the chains {full.status}.")
        elif full.at < end - FULL_VERIFICATION_MAX_AGE:
            out.append(f"The latest full verification is older than 48 hours ({full.at:%Y-%m-%d}).")
        if integrity.tampered_runs:
            out.append(f"{integrity.tampered_runs} verification(s) of the day not VALID.")
        if export is None:
            out.append("No digest has been exported outside the database.")
        elif export.at < end - DIGEST_MAX_AGE:
            out.append("No digest was exported in the last 24 hours of the day.")
        if check is not None and check.status != "VALID":
            out.append(f"The latest digest check found the chains {check.status}.")
        failed_restores = self.backups.count("VERIFY_FAILED")
        if failed_restores:
            out.append(f"{failed_restores} backup restore verification(s) FAILED.")
        if self.retention.total("FAILED"):
            out.append(f"{self.retention.total('FAILED')} retention action(s) FAILED.")
        if self.sla.breached:
            out.append(f"{self.sla.breached} SLA measurement(s) BREACHED.")
        if self.gdpr.total("overdue"):
            out.append(f"{self.gdpr.total('overdue')} GDPR request(s) open past the deadline.")
        if self.checks.failed:
            out.append(f"{self.checks.failed} asset check execution(s) FAILED.")
        if self.freshness.violations:
            out.append(
                f"{len(self.freshness.violations)} asset(s) violated their freshness policy."
            )
        return out

    def figures(self) -> dict[str, Any]:
        """The headline figures (asset metadata, logs, tests)."""
        full = self.integrity.latest_full
        return {
            "audit_rows_appended": self.volume.total,
            "latest_full_verification": full.status if full else "NONE",
            "verifications_not_valid": self.integrity.tampered_runs,
            "backups_created": self.backups.count("CREATED"),
            "backups_verified": self.backups.count("VERIFIED"),
            "backup_verifications_failed": self.backups.count("VERIFY_FAILED"),
            "backups_deleted": self.backups.count("DELETED"),
            "retention_actions": self.retention.total(),
            "legal_holds_active": len(self.legal_holds.active),
            "legal_holds_placed": self.legal_holds.recorded("PLACED"),
            "legal_holds_released": self.legal_holds.recorded("RELEASED"),
            "sla_met": self.sla.met,
            "sla_breached": self.sla.breached,
            "security_events": self.security.total,
            "gdpr_received": self.gdpr.total("received"),
            "gdpr_overdue": self.gdpr.total("overdue"),
            "checks_executed": self.checks.executed,
            "checks_failed": self.checks.failed,
            "freshness_violations": len(self.freshness.violations),
            "findings": len(self.findings()),
        }


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a UTC day as naive UTC timestamps (the audit database's convention)."""
    start = datetime.combine(day, time())
    return start, start + timedelta(days=1)


def gather(
    conn,
    day: date,
    *,
    database: str,
    instance=None,
    now: datetime | None = None,
) -> ComplianceData:
    """Read the report of `day` through `conn` (a pymysql connection to the audit database;
    read-only access suffices) and, when given, the Dagster `instance` (freshness)."""
    import time as clock

    started = clock.perf_counter()
    start, end = day_bounds(day)
    params = {"start": start, "end": end, "day": day}
    with conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # One snapshot for every query, so the figures of one report agree with each other
        # while the pipeline keeps appending.
        cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        try:
            tables = _tables(cur)
            notes = []
            for needed in ("audit_trail_integrity", "document_retention_log"):
                if needed not in tables:
                    raise ReportDataError(
                        f"{database} has no table {needed}; run `genims db init` first"
                    )
            data = dict(
                volume=_volume(cur, tables, params),
                integrity=_integrity(cur, params),
                backups=_backups(cur, params),
                retention=_retention(cur, tables, params),
                legal_holds=_legal_holds(cur, tables, params),
                sla=_sla(cur, params),
                security=_security(cur, params),
                gdpr=_gdpr(cur, params),
                checks=_checks(cur, params),
            )
            for table in (RETENTION_TABLE, HOLD_RECORDS_TABLE):
                if table not in tables:
                    notes.append(f"{table} does not exist in {database}: nothing reported from it")
        finally:
            conn.rollback()
    freshness = freshness_violations(instance, start, end)
    return ComplianceData(
        day=day,
        database=database,
        generated_at=now or datetime.now(UTC),
        freshness=freshness,
        gather_seconds=clock.perf_counter() - started,
        notes=tuple(notes),
        **data,
    )


def _query(cur, name: str, params: Mapping[str, Any], **identifiers: str) -> list[tuple]:
    text = load_sql("operations", "report", name)
    if identifiers:
        text = text.format(**{k: quote_ident(v) for k, v in identifiers.items()})
    cur.execute(text, params)
    return list(cur.fetchall())


def _tables(cur) -> dict[str, bool]:
    """Tables of the audit database -> whether they carry a hash chain."""
    # Two plain lookups: a correlated subquery over information_schema is slow on MariaDB.
    cur.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_TYPE = 'BASE TABLE'"
    )
    tables = {r[0] for r in cur.fetchall()}
    cur.execute(
        "SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        "AND COLUMN_NAME = 'canonical_payload'"
    )
    chained = {r[0] for r in cur.fetchall()}
    return {t: t in chained for t in tables}


def feed_of(stream_id: str) -> str:
    """The feed a stream belongs to (see the module docstring)."""
    _table, _, part = stream_id.partition("/")
    return part if part in FEEDS else OTHER_FEED


def _volume(cur, tables: Mapping[str, bool], params) -> AuditVolume:
    by_feed = dict.fromkeys(FEEDS, 0)
    by_table = []
    for table in sorted(t for t, chained in tables.items() if chained):
        rows = _query(cur, "volume_by_stream.sql", params, table=table)
        for stream_id, count in rows:
            by_feed[feed_of(stream_id)] += int(count)
        by_table.append(TableVolume(table, len(rows), sum(int(r[1]) for r in rows)))
    return AuditVolume(tuple(by_feed.items()), tuple(by_table))


def _latest(cur, kind: str, params) -> LatestVerification | None:
    rows = _query(cur, "integrity_latest.sql", {**params, "kind": kind})
    if not rows:
        return None
    at, status, rows_verified, streams, problems, digest, location, by, _ms = rows[0]
    return LatestVerification(
        kind, at, status, int(rows_verified), int(streams), problems, digest, location, by
    )


def _integrity(cur, params) -> IntegrityStatus:
    found = {
        r[0]: VerificationRuns(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4]), r[5])
        for r in _query(cur, "integrity_by_type.sql", params)
    }
    kinds = [*VERIFICATION_KINDS, *sorted(set(found) - set(VERIFICATION_KINDS))]
    return IntegrityStatus(
        by_kind=tuple(found.get(k) or VerificationRuns(k, 0, 0, 0, 0, None) for k in kinds),
        latest_full=_latest(cur, "FULL", params),
        latest_digest_export=_latest(cur, "DIGEST_EXPORT", params),
        latest_digest_check=_latest(cur, "DIGEST_CHECK", params),
    )


def _backups(cur, params) -> BackupActivity:
    rows = _query(cur, "documents_of_day.sql", {**params, "document_type": "BACKUP"})
    return BackupActivity(
        tuple(
            DocumentEvent(at, doc, action, None if size is None else int(size), sha, details, by)
            for at, doc, action, size, sha, details, by, _scheduled in rows
        )
    )


def _retention(cur, tables, params) -> RetentionActivity:
    if RETENTION_TABLE not in tables:
        return RetentionActivity(available=False)
    rows = _query(cur, "retention_actions.sql", params)
    return RetentionActivity(
        True, tuple(RetentionAction(t, s, int(n), int(r)) for t, s, n, r in rows)
    )


def _legal_holds(cur, tables, params) -> LegalHolds:
    active = tuple(
        ActiveHold(int(h), m, t, s, cf, ct, by, at)
        for h, m, t, s, cf, ct, by, at in _query(cur, "legal_holds_active.sql", params)
    )
    if HOLD_RECORDS_TABLE not in tables:
        return LegalHolds(active, records_available=False)
    records = tuple(
        HoldRecord(at, str(h), action, matter, case)
        for at, h, action, matter, case in _query(cur, "legal_hold_records.sql", params)
    )
    return LegalHolds(active, True, records)


def _sla(cur, params) -> SlaCompliance:
    table: dict[str, dict[str, int]] = {}
    for sla_type, status, count in _query(cur, "sla_measurements.sql", params):
        table.setdefault(sla_type, dict.fromkeys(SLA_OUTCOMES, 0))[status] = int(count)
    return SlaCompliance(
        tuple(
            SlaRow(t, c.get("MET", 0), c.get("BREACHED", 0), c.get("PENDING", 0))
            for t, c in sorted(table.items())
        )
    )


def _security(cur, params) -> SecurityEvents:
    by_type = tuple((t, s, int(n)) for t, s, n in _query(cur, "security_by_type.sql", params))
    hours = [0] * 24
    for hour, count in _query(cur, "security_by_hour.sql", params):
        hours[int(hour)] = int(count)
    return SecurityEvents(by_type, tuple(hours))


def _gdpr(cur, params) -> GdprRequests:
    return GdprRequests(
        tuple(
            GdprRow(t, *(int(v or 0) for v in values))
            for t, *values in _query(cur, "gdpr_requests.sql", params)
        )
    )


def _checks(cur, params) -> AssetChecks:
    executed = passed = 0
    failed: dict[str, int] = {}
    for result, severity, count in _query(cur, "checks_by_result.sql", params):
        executed += int(count)
        if result == "PASSED":
            passed += int(count)
        else:
            failed[severity] = failed.get(severity, 0) + int(count)
    failures = tuple(
        FailedCheck(
            at, rule, entity, partition, severity, None if n is None else int(n), reason, run
        )
        for at, rule, entity, partition, severity, n, reason, run in _query(
            cur, "checks_failed.sql", {**params, "limit": FAILED_CHECKS_LISTED}
        )
    )
    return AssetChecks(executed, passed, tuple(sorted(failed.items())), failures)


SEVERITY_ORDER = {"WARN": 1, "FAIL": 2}


def freshness_violations(instance, start: datetime, end: datetime) -> Freshness:
    """Freshness-state changes to WARN or FAIL between `start` and `end` (naive UTC), per
    asset, from the instance's event log."""
    if instance is None:
        return Freshness(
            False,
            "no Dagster instance was available (set DAGSTER_HOME)",
        )
    import dagster as dg
    from dagster._core.events import DagsterEventType

    try:
        # The only instance API that reads events by type and time (deprecated for 2.0, as
        # for the self-audit); the instance keeps no other history of freshness states.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            records = instance.get_event_records(
                dg.EventRecordsFilter(
                    event_type=DagsterEventType.FRESHNESS_STATE_CHANGE,
                    after_timestamp=start.replace(tzinfo=UTC).timestamp(),
                    before_timestamp=end.replace(tzinfo=UTC).timestamp(),
                ),
                ascending=True,
            )
    except Exception as error:  # the report must still be produced, saying what is missing
        return Freshness(False, f"the Dagster event log could not be read: {type(error).__name__}")
    per_asset: dict[str, list[tuple[datetime, str]]] = {}
    for record in records:
        change = record.event_log_entry.dagster_event.event_specific_data
        state = getattr(change.new_state, "value", str(change.new_state))
        at = datetime.fromtimestamp(change.state_change_timestamp, UTC).replace(tzinfo=None)
        per_asset.setdefault(change.key.to_user_string(), []).append((at, state))
    violations = []
    for asset, changes in sorted(per_asset.items()):
        bad = [(at, s) for at, s in changes if s in SEVERITY_ORDER]
        if not bad:
            continue
        violations.append(
            FreshnessViolation(
                asset=asset,
                transitions=len(bad),
                worst_state=max((s for _, s in bad), key=SEVERITY_ORDER.__getitem__),
                first_at=bad[0][0],
                state_at_end=changes[-1][1],
            )
        )
    return Freshness(
        True,
        "freshness-state changes recorded by the FreshnessDaemon in the Dagster event log",
        tuple(violations),
    )
