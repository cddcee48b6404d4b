"""The nightly backup of one database end to end, and what it records in the audit database.

`backup_database` takes the backup (`backup_dump.take_backup`), appends its CREATED row to
`document_retention_log`, then sweeps the expired backups of the same database
(`backup_retention.apply_retention`) and appends a DELETED or RETAINED row for each.
`verify_and_record` runs the restore verification (`backup_restore.verify_backup`) and appends
VERIFIED or VERIFY_FAILED with what it found; for the audit database it also appends a
RESTORE_VERIFY row to `audit_trail_integrity` (the chains of the restored copy were verified:
`digest_sha256` / `digest_location` name the backup that was checked, the status is VALID only
when the whole verification passed).

All rows go through `record_document_actions` (hash-chained, stream
``document_retention_log/backup``) in the caller's audit connection (the owner account).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from genims_platform.lib.blob import BlobStore
from genims_platform.lib.resources import MySQLDatabase
from genims_platform.operations.backup_dump import BackupResult, take_backup
from genims_platform.operations.backup_restore import (
    CHAIN_PROBLEM,
    VerificationResult,
    read_creation_record,
    verify_backup,
)
from genims_platform.operations.backup_retention import (
    DOCUMENT_TYPE,
    RetentionOutcome,
    RetentionPolicy,
    apply_retention,
    newest_verified,
    read_hold_state,
)
from genims_platform.settings import MySqlTarget

RESTORE_VERIFY = "RESTORE_VERIFY"
"""verification_type of audit_trail_integrity rows written by restore verifications."""


def append_documents(audit: MySQLDatabase, actions: list, now: datetime) -> int:
    """Append DocumentActions to document_retention_log in one transaction."""
    from genims_platform.audit.chain import begin_append
    from genims_platform.operations.documents import record_document_actions

    if not actions:
        return 0
    with audit.connect() as conn:
        try:
            begin_append(conn)
            with conn.cursor() as cur:
                count = record_document_actions(cur, actions, now)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return count


def created_action(result: BackupResult, performed_by: str):
    from genims_platform.operations.documents import DocumentAction

    details = {
        "database": result.database,
        "taken_at": result.taken_at.isoformat(),
        "manifest": result.manifest,
        "manifest_sha256": result.manifest_sha256,
        "tables": len(result.tables),
        "rows": result.rows,
        "sql_bytes": result.sql_bytes,
        "duration_ms": int(result.seconds * 1000),
        "sql_mb_per_s": f"{result.sql_mb_per_s:.1f}",
        "lock_held_ms": int(result.lock_held_s * 1000),
        "server_version": result.server_version,
        "dump_tool": result.tool,
    }
    if result.rule.immutable:
        details["immutable_until"] = (
            result.immutable_until.isoformat() if result.immutable_until else None
        )
        if result.immutability_note:
            details["immutability"] = result.immutability_note
    return DocumentAction(
        container=result.container,
        name=result.name,
        document_type=DOCUMENT_TYPE,
        action="CREATED",
        retention_requirement=result.rule.label,
        performed_by=performed_by,
        deletion_scheduled=result.keep_until + timedelta(days=1),
        size_bytes=result.size_bytes,
        sha256=result.sha256,
        details=details,
    )


@dataclass
class NightlyBackup:
    backup: BackupResult
    retention: RetentionOutcome


def backup_database(
    target: MySqlTarget,
    audit: MySQLDatabase,
    store: BlobStore,
    container: str,
    *,
    logical: str,
    policy: RetentionPolicy,
    performed_by: str,
    now: datetime | None = None,
    secrets: list[str] | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> NightlyBackup:
    """Back up `target`'s database, record it, and delete its expired backups."""
    now = now or datetime.now(UTC)
    result = take_backup(
        target, store, container, logical=logical, policy=policy, now=now, secrets=secrets, log=log
    )
    append_documents(audit, [created_action(result, performed_by)], now)
    with audit.connect() as conn:
        holds = read_hold_state(conn)
        protected = newest_verified(conn, container, target.database)
    outcome = apply_retention(
        store,
        container,
        target.database,
        logical,
        policy,
        now=now,
        holds=holds,
        protected=[protected] if protected else [],
        performed_by=performed_by,
        log=log,
    )
    append_documents(audit, outcome.actions, now)
    return NightlyBackup(result, outcome)


def verify_and_record(
    target: MySqlTarget,
    audit: MySQLDatabase,
    store: BlobStore,
    container: str,
    name: str,
    *,
    logical: str,
    performed_by: str,
    digest_store: BlobStore | None = None,
    digest_container: str | None = None,
    now: datetime | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> VerificationResult:
    """Verify the backup `container/name` of `target`'s database and record the outcome."""
    from genims_platform.audit import verify
    from genims_platform.operations.documents import DocumentAction

    now = now or datetime.now(UTC)
    location = f"{container}/{name}"
    with audit.connect() as conn:
        recorded = read_creation_record(conn, location)
    result = verify_backup(
        target,
        store,
        container,
        name,
        recorded=recorded,
        audit_chains=logical == "audit",
        digest_store=digest_store,
        digest_container=digest_container,
        now=now,
        log=log,
    )
    size = result.load.blob_bytes or (recorded.size_bytes if recorded else None)
    append_documents(
        audit,
        [
            DocumentAction(
                container=container,
                name=name,
                document_type=DOCUMENT_TYPE,
                action="VERIFIED" if result.passed else "VERIFY_FAILED",
                retention_requirement="restore verification of a database backup",
                performed_by=performed_by,
                size_bytes=size,
                sha256=result.actual_sha256,
                details=result.details(),
            )
        ],
        now,
    )
    if logical == "audit":
        report = verify.VerificationReport(RESTORE_VERIFY)
        if result.chain is not None:
            report.streams = list(result.chain.streams)
            report.rows = result.chain.rows
        # The chain's own findings are in its streams already.
        report.problems = [p for p in result.problems if not p.startswith(CHAIN_PROBLEM)]
        report.seconds = result.seconds
        report.digest_sha256 = result.actual_sha256
        report.digest_location = location
        with audit.connect() as conn:
            verify.record(conn, report, verified_by=performed_by, now=now)
    return result
