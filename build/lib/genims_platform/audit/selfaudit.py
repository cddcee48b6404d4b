"""Self-audit: the platform's own runs, materialisations, failures and checks, and its schema
migrations, appended to the audit database.

The Dagster instance's event log is read after a storage-id cursor kept in MySQL
(`audit_ingest_cursor`, feed ``dagster``) and committed in the same transaction as the rows, so
a crash between the MySQL commit and the sensor's own cursor loses and repeats nothing. Storage
ids are assigned when an event is inserted, not when it commits; events younger than
`SETTLE_SECONDS` are left for the next pass so a concurrent insert that commits late is not
skipped (the same out-of-order trap as the outbox, with a window of milliseconds).

* finished runs -> `batch_job_execution_log` (one row per run, keyed by run id);
* materialisations -> `integration_audit_log` (keyed by storage id);
* step and run failures -> `exception_log` (messages and stack traces scrubbed of secrets);
* asset-check evaluations -> `validation_rule_execution`;
* schema migrations of the 3 MySQL databases -> `change_management_log` (stream
  ``change_management_log/mysql``, keyed by database and version).

Materialisations of the self-audit tables themselves are not recorded: each record would cause
another materialisation, forever.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import dagster as dg
import pymysql
from dagster._core.events import DagsterEventType

from genims_platform.audit import verify
from genims_platform.audit.canonical import UtcText, utc_text
from genims_platform.audit.chain import (
    CREATED_AT,
    ChainedRow,
    append_chained,
    begin_append,
    lock_heads,
    save_heads,
)
from genims_platform.audit.ingest import _lock_cursor, _save_cursor
from genims_platform.lib.errors import GenimsError, scrub
from genims_platform.lib.resources import MySQLDatabase

FEED = "dagster"
SETTLE_SECONDS = 5.0
BATCH_JOB = "batch_job_execution_log"
INTEGRATION = "integration_audit_log"
EXCEPTION = "exception_log"
VALIDATION = "validation_rule_execution"
CHANGE_MGMT = "change_management_log"
SELF_AUDIT_TABLES = (BATCH_JOB, INTEGRATION, EXCEPTION, VALIDATION)

EVENT_TYPES = (
    DagsterEventType.RUN_SUCCESS,
    DagsterEventType.RUN_FAILURE,
    DagsterEventType.RUN_CANCELED,
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.ASSET_CHECK_EVALUATION,
)
COLUMNS: dict[str, tuple[str, ...]] = {
    BATCH_JOB: (
        "execution_timestamp",
        "run_id",
        "job_name",
        "job_type",
        "launched_by",
        "status",
        "records_processed",
        "records_failed",
        "materializations",
        "execution_time_seconds",
        "next_run_timestamp",
        "ended_at",
        "dagster_storage_id",
        CREATED_AT,
    ),
    INTEGRATION: (
        "integration_timestamp",
        "source_system",
        "target_system",
        "asset_key",
        "partition_key",
        "event_type",
        "record_count",
        "success",
        "error_message",
        "duration_seconds",
        "run_id",
        "dagster_storage_id",
        CREATED_AT,
    ),
    EXCEPTION: (
        "exception_timestamp",
        "exception_type",
        "module_name",
        "message",
        "stack_trace",
        "severity",
        "user_id",
        "session_id",
        "step_key",
        "dagster_storage_id",
        CREATED_AT,
    ),
    VALIDATION: (
        "execution_timestamp",
        "rule_name",
        "entity_type",
        "partition_key",
        "validation_result",
        "severity",
        "records_passed",
        "records_failed",
        "failure_reason",
        "run_id",
        "dagster_storage_id",
        CREATED_AT,
    ),
}
MIGRATION_COLUMNS = (
    "change_date",
    "change_description",
    "change_type",
    "change_source",
    "change_ref",
    "source_generation",
    "object_type",
    "object_identity",
    "command_tag",
    "performed_by",
    "approved_by",
    "approval_date",
    "implementation_date",
    "rollback_if_failed",
    "checksum",
    CREATED_AT,
)
_STATUS = {
    DagsterEventType.RUN_SUCCESS: "COMPLETED",
    DagsterEventType.RUN_FAILURE: "FAILED",
    DagsterEventType.RUN_CANCELED: "CANCELED",
}


class SelfAuditError(GenimsError):
    """The self-audit cannot read the instance's event log."""


@dataclass
class SelfAuditResult:
    events: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    cursor: int = 0
    seconds: float = 0.0


def _ts(timestamp: float) -> UtcText:
    return utc_text(datetime.fromtimestamp(timestamp, UTC))


def _key_text(key: dg.AssetKey | None) -> str:
    return "/".join(key.path) if key is not None else ""


def _metadata_number(metadata: Mapping[str, Any], name: str) -> Any:
    value = metadata.get(name)
    raw = getattr(value, "value", value)
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return raw
    return None


def _seconds(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(round(float(value), 3))).quantize(Decimal("0.001"))


def fetch_events(instance: dg.DagsterInstance, after: int, limit: int, settle_s: float):
    """Event records after storage id `after`, in storage-id order, complete up to the
    returned boundary (every type read up to it, and nothing younger than `settle_s`)."""
    records = []
    boundary: int | None = None
    if getattr(instance.event_log_storage, "is_run_sharded", False):
        raise SelfAuditError(
            "the self-audit reads the event log by storage id, which needs a consolidated "
            "event-log storage (PostgreSQL or MySQL instance storage, as in dagster.yaml), "
            "not the run-sharded SQLite default"
        )
    for event_type in EVENT_TYPES:
        found = instance.get_event_records(
            dg.EventRecordsFilter(event_type=event_type, after_cursor=after),
            limit=limit,
            ascending=True,
        )
        records.extend(found)
        if len(found) >= limit:
            last = found[-1].storage_id
            boundary = last if boundary is None else min(boundary, last)
    settled = time.time() - settle_s
    records.sort(key=lambda r: r.storage_id)
    out = []
    for record in records:
        if boundary is not None and record.storage_id > boundary:
            break
        if record.timestamp > settled:
            break
        out.append(record)
    return out


def _job_type(tags: Mapping[str, str]) -> tuple[str, str | None]:
    if tags.get("dagster/backfill"):
        return "BACKFILL", tags.get("dagster/backfill")
    if tags.get("dagster/from_automation_condition") or tags.get("dagster/auto_materialize"):
        return "AUTOMATION", tags.get("dagster/sensor_name")
    if tags.get("dagster/sensor_name"):
        return "SENSOR", tags.get("dagster/sensor_name")
    if tags.get("dagster/schedule_name"):
        return "SCHEDULE", tags.get("dagster/schedule_name")
    return "MANUAL", tags.get("user")


def build_rows(
    instance: dg.DagsterInstance,
    records: Sequence,
    now: UtcText,
    *,
    secrets: Iterable[str],
    upstream_of: Callable[[dg.AssetKey], str | None] = lambda key: None,
) -> dict[str, list[ChainedRow]]:
    """Self-audit rows for event records (see the module docstring)."""
    secrets = [s for s in secrets if s]
    clean = lambda text: scrub(text, secrets) if text else text  # noqa: E731
    rows: dict[str, list[ChainedRow]] = {t: [] for t in SELF_AUDIT_TABLES}
    skip_keys = {("genims_audit_db", t) for t in SELF_AUDIT_TABLES}
    for record in records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type
        at = _ts(entry.timestamp)
        sid = record.storage_id
        run_id = entry.run_id or None
        if kind in _STATUS:
            rows[BATCH_JOB].append(_run_row(instance, entry.run_id, kind, sid, at, now))
        if kind == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.event_specific_data.materialization
            if tuple(mat.asset_key.path) in skip_keys:
                continue
            metadata = mat.metadata or {}
            count = _metadata_number(metadata, "dagster/row_count")
            rows[INTEGRATION].append(
                ChainedRow(
                    f"{INTEGRATION}/dagster",
                    {
                        "integration_timestamp": at,
                        "source_system": (upstream_of(mat.asset_key) or None),
                        "target_system": mat.asset_key.path[0][:255],
                        "asset_key": _key_text(mat.asset_key)[:512],
                        "partition_key": (mat.partition or None) and mat.partition[:255],
                        "event_type": "MATERIALIZATION",
                        "record_count": int(count) if count is not None else None,
                        "success": "YES",
                        "error_message": None,
                        "duration_seconds": _seconds(
                            _metadata_number(metadata, "duration_seconds")
                        ),
                        "run_id": run_id,
                        "dagster_storage_id": sid,
                        CREATED_AT: now,
                    },
                )
            )
        elif kind in (DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE):
            data = event.event_specific_data
            error = getattr(data, "error", None)
            run = instance.get_run_by_id(entry.run_id) if entry.run_id else None
            message, stack = _error_text(error)
            message = message or event.message or entry.user_message
            rows[EXCEPTION].append(
                ChainedRow(
                    f"{EXCEPTION}/dagster",
                    {
                        "exception_timestamp": at,
                        "exception_type": (
                            error.cls_name if error and error.cls_name else kind.value
                        )[:255],
                        "module_name": f"{run.job_name if run else ''}:{event.step_key or 'run'}"[
                            :255
                        ],
                        "message": clean((message or "").strip()[:60000]) or None,
                        "stack_trace": clean(stack[:1_000_000]) or None,
                        "severity": "HIGH" if kind == DagsterEventType.STEP_FAILURE else "CRITICAL",
                        "user_id": (run.tags.get("user") if run else None),
                        "session_id": run_id,
                        "step_key": (event.step_key or None) and event.step_key[:255],
                        "dagster_storage_id": sid,
                        CREATED_AT: now,
                    },
                )
            )
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            check = event.event_specific_data
            metadata = check.metadata or {}
            failed = _metadata_number(metadata, "failed_rows")
            severity = getattr(check.severity, "value", str(check.severity))
            rows[VALIDATION].append(
                ChainedRow(
                    f"{VALIDATION}/dagster",
                    {
                        "execution_timestamp": at,
                        "rule_name": check.check_name[:255],
                        "entity_type": _key_text(check.asset_key)[:512],
                        "partition_key": (check.partition or None) and check.partition[:255],
                        "validation_result": "PASSED" if check.passed else "FAILED",
                        "severity": str(severity)[:16],
                        "records_passed": None,
                        "records_failed": int(failed) if failed is not None else None,
                        "failure_reason": clean(check.description) or None,
                        "run_id": run_id,
                        "dagster_storage_id": sid,
                        CREATED_AT: now,
                    },
                )
            )
    return {t: r for t, r in rows.items() if r}


def _error_text(error) -> tuple[str, str]:
    """Message and stack trace of an error and of the errors that caused it."""
    messages, stacks = [], []
    seen = 0
    while error is not None and seen < 10:
        messages.append(f"{error.cls_name or 'Error'}: {(error.message or '').strip()}")
        stacks.append("".join(error.stack or []))
        error = error.cause or error.context
        seen += 1
    return "\ncaused by ".join(messages), "\n--- caused by ---\n".join(stacks)


def _run_row(instance, run_id: str, kind, sid: int, at: UtcText, now: UtcText) -> ChainedRow:
    record = instance.get_run_record_by_id(run_id)
    run = record.dagster_run if record else None
    tags = run.tags if run else {}
    job_type, launched_by = _job_type(tags)
    stats = instance.get_run_stats(run_id) if record else None
    start = getattr(record, "start_time", None) or (stats.start_time if stats else None)
    end = getattr(record, "end_time", None) or (stats.end_time if stats else None)
    processed = 0
    materializations = 0
    for mat in instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=10_000
    ).records:
        data = mat.event_log_entry.dagster_event.event_specific_data.materialization
        materializations += 1
        count = _metadata_number(data.metadata or {}, "dagster/row_count")
        processed += int(count or 0)
    return ChainedRow(
        f"{BATCH_JOB}/dagster",
        {
            "execution_timestamp": _ts(start) if start else at,
            "run_id": run_id,
            "job_name": (run.job_name if run else "unknown")[:255],
            "job_type": job_type,
            "launched_by": launched_by[:255] if launched_by else None,
            "status": _STATUS[kind],
            "records_processed": processed,
            "records_failed": stats.steps_failed if stats else None,
            "materializations": materializations,
            "execution_time_seconds": _seconds(end - start) if start and end else None,
            "next_run_timestamp": None,
            "ended_at": _ts(end) if end else at,
            "dagster_storage_id": sid,
            CREATED_AT: now,
        },
    )


def record_events(
    instance: dg.DagsterInstance,
    db: MySQLDatabase,
    *,
    secrets: Iterable[str] = (),
    upstream_of: Callable[[dg.AssetKey], str | None] = lambda key: None,
    limit: int = 1000,
    settle_s: float = SETTLE_SECONDS,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SelfAuditResult:
    """Append the self-audit rows of new event-log records, exactly once."""
    started = time.perf_counter()
    result = SelfAuditResult()
    with db.connect() as conn:
        try:
            begin_append(conn)
            with conn.cursor() as cur:
                cursor = _lock_cursor(cur, FEED, "dagster instance")
                newest = instance.event_log_storage.get_maximum_record_id()
                if cursor.last_event_id and (newest or 0) < cursor.last_event_id:
                    # A recreated instance numbers its events from 1 again.
                    cursor.generation += 1
                    cursor.last_event_id = 0
                records = fetch_events(instance, cursor.last_event_id, limit, settle_s)
                result.cursor = cursor.last_event_id
                if not records:
                    conn.rollback()
                    return result
                stamp = now()
                rows = build_rows(
                    instance, records, utc_text(stamp), secrets=secrets, upstream_of=upstream_of
                )
                streams = {r[0].stream_id: t for t, r in rows.items()}
                heads = lock_heads(cur, streams)
                for table, table_rows in rows.items():
                    result.rows[table] = append_chained(
                        cur, table, COLUMNS[table], table_rows, heads
                    )
                save_heads(cur, heads.values(), stamp)
                cursor.epoch = cursor.epoch or "dagster"
                cursor.generation = cursor.generation or 1
                cursor.last_event_id = records[-1].storage_id
                cursor.events_total += len(records)
                cursor.last_captured_at = _ts(records[-1].event_log_entry.timestamp).mysql
                _save_cursor(cur, cursor, stamp)
                verify.record_incremental(
                    cur, heads.values(), stamp, part=FEED, verified_by="self-audit"
                )
            conn.commit()
        except BaseException:
            with contextlib.suppress(pymysql.err.Error):
                conn.rollback()
            raise
    result.events = len(records)
    result.cursor = records[-1].storage_id
    result.seconds = time.perf_counter() - started
    return result


def record_migrations(
    db: MySQLDatabase,
    migrations: Mapping[str, list[tuple]],
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Append the schema migrations (per database: version, name, checksum, applied_at,
    applied_by) not yet in change_management_log; returns how many were appended."""
    stream = f"{CHANGE_MGMT}/mysql"
    with db.connect() as conn:
        try:
            begin_append(conn)
            with conn.cursor() as cur:
                heads = lock_heads(cur, {stream: CHANGE_MGMT})
                cur.execute(
                    "SELECT change_source, change_ref FROM change_management_log "
                    "WHERE change_type = 'SCHEMA_MIGRATION'"
                )
                known = {(r[0], r[1]) for r in cur.fetchall()}
                stamp = now()
                created = utc_text(stamp)
                rows = []
                for database, applied in sorted(migrations.items()):
                    source = f"mysql:{database}"[:64]
                    for version, name, checksum, applied_at, applied_by in sorted(applied):
                        ref = f"{int(version):04d}"
                        if (source, ref) in known:
                            continue
                        when = utc_text(applied_at)
                        rows.append(
                            ChainedRow(
                                stream,
                                {
                                    "change_date": when,
                                    "change_description": f"migration {ref}_{name} applied to "
                                    f"{database}",
                                    "change_type": "SCHEMA_MIGRATION",
                                    "change_source": source,
                                    "change_ref": ref,
                                    "source_generation": 0,
                                    "object_type": "migration",
                                    "object_identity": f"{database}/{ref}_{name}"[:512],
                                    "command_tag": f"{ref}_{name}"[:64],
                                    "performed_by": (applied_by or "")[:255] or None,
                                    "approved_by": None,
                                    "approval_date": None,
                                    "implementation_date": when,
                                    "rollback_if_failed": "add a new migration",
                                    "checksum": checksum,
                                    CREATED_AT: created,
                                },
                            )
                        )
                appended = append_chained(cur, CHANGE_MGMT, MIGRATION_COLUMNS, rows, heads)
                save_heads(cur, heads.values(), stamp)
                if appended:
                    verify.record_incremental(
                        cur, heads.values(), stamp, part="mysql", verified_by="self-audit"
                    )
            conn.commit()
        except BaseException:
            with contextlib.suppress(pymysql.err.Error):
                conn.rollback()
            raise
    return appended


def read_migrations(db: MySQLDatabase) -> list[tuple]:
    return db.query("SELECT version, name, checksum, applied_at, applied_by FROM schema_migrations")


def heartbeat_due(last: float | None, now: float, every: timedelta) -> bool:
    return last is None or now - last >= every.total_seconds()
