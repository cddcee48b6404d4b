"""Nightly backups of the three MySQL databases, each followed by a restore verification.

Per database (reporting, analytics, audit) one asset, ``["operations", "backup_<database>"]``
in the group ``operations``, whose materialisation is one backup: a consistent dump streamed
gzip-compressed into the backup container (``BACKUP_AZURE_CONTAINER``) with a manifest of the
snapshot's per-table row counts and ``CHECKSUM TABLE`` values, recorded in
``document_retention_log``; the same step deletes the database's expired backups
(docs/backups.md has the retention rules).

Each asset carries the blocking asset check ``restore_verified``: the backup just written is
restored into a scratch database and compared with its manifest (and, for the audit database,
its hash chains re-verified up to the last exported digest). A failed verification fails the
check with ERROR severity, naming the tables that differ, and the run fails.

The schedule ``mysql_backups`` runs all three with their checks daily at ``BACKUP_DAILY_TIME``
(UTC, default 02:00); it is RUNNING by default, STOPPED when ``BACKUP_ENABLED=false``.
"""

import os
from collections.abc import Mapping

import dagster as dg

GROUP = "operations"
STORAGE_RESOURCE = "backup_storage"
CHECK_NAME = "restore_verified"
JOB_NAME = "mysql_backup_job"
SCHEDULE_NAME = "mysql_backups"
LOGICALS = ("reporting", "analytics", "audit")


def backup_key(logical: str) -> dg.AssetKey:
    """Key of the backup asset of a MySQL database (default physical name, like every key)."""
    from genims_platform.catalog import TARGET_DATABASES

    return dg.AssetKey([GROUP, f"backup_{TARGET_DATABASES[logical]}"])


class BackupStorage(dg.ConfigurableResource):
    """The backup container and the BACKUP_* retention settings."""

    connection_string: str = "UseDevelopmentStorage=true"
    container: str = "genims-backups"
    retention_days: int = 30
    analytics_retention_days: int = 365
    analytics_weekly_day: str = "sunday"
    audit_retention_days: int = 2555

    def store(self):
        from genims_platform.lib.blob import AzureBlobStore

        return AzureBlobStore(self.connection_string)

    def policy(self):
        from genims_platform.operations.backup_retention import RetentionPolicy
        from genims_platform.settings import backup_settings

        settings = backup_settings(
            {
                "BACKUP_RETENTION_DAYS": str(self.retention_days),
                "BACKUP_ANALYTICS_RETENTION_DAYS": str(self.analytics_retention_days),
                "BACKUP_ANALYTICS_WEEKLY_DAY": self.analytics_weekly_day,
                "BACKUP_AUDIT_RETENTION_DAYS": str(self.audit_retention_days),
                "BACKUP_AZURE_CONTAINER": self.container,
            }
        )
        return RetentionPolicy.from_settings(settings)


def backup_resources(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """The backup storage resource; only the presence of variables is looked at here."""
    from genims_platform.lib.environment import env_value as _env

    environ = os.environ if environ is None else environ
    return {
        STORAGE_RESOURCE: BackupStorage(
            connection_string=_env(
                "AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true", environ
            ),
            container=_env("BACKUP_AZURE_CONTAINER", "genims-backups", environ),
            retention_days=_env("BACKUP_RETENTION_DAYS", 30, environ),
            analytics_retention_days=_env("BACKUP_ANALYTICS_RETENTION_DAYS", 365, environ),
            analytics_weekly_day=_env("BACKUP_ANALYTICS_WEEKLY_DAY", "sunday", environ),
            audit_retention_days=_env("BACKUP_AUDIT_RETENTION_DAYS", 2555, environ),
        )
    }


def table_keys(logical: str) -> list[dg.AssetKey]:
    """The table assets a backup of the database contains (its lineage in the UI)."""
    from genims_platform.lib.keys import target_key

    if logical == "reporting":
        from genims_platform.reporting.tables import REPORTING_TABLES

        names = [spec.name for spec in REPORTING_TABLES]
    elif logical == "analytics":
        from genims_platform.analytics.tables import ANALYTICS_TABLES

        names = [spec.name for spec in ANALYTICS_TABLES]
    else:
        from genims_platform.audit.definitions import AUDIT_TABLES
        from genims_platform.audit.events import STREAM_TABLES
        from genims_platform.audit.selfaudit import SELF_AUDIT_TABLES
        from genims_platform.audit.verify import INTEGRITY

        names = [
            *STREAM_TABLES,
            *SELF_AUDIT_TABLES,
            *(spec.name for spec in AUDIT_TABLES),
            INTEGRITY,
        ]
    return [target_key(logical, name) for name in sorted(set(names))]


def _secrets(resources) -> list[str]:
    found = []
    for name in dir(resources):
        value = getattr(resources, name, None)
        for attr in ("password", "connection_string"):
            secret = getattr(value, attr, None)
            if isinstance(secret, str) and secret:
                found.append(secret)
    return found


def _tables_markdown(tables) -> str:
    lines = ["| table | rows | CHECKSUM TABLE |", "|---|---:|---:|"]
    for name, figures in sorted(tables.items()):
        checksum = "" if figures.checksum is None else figures.checksum
        lines.append(f"| {name} | {figures.rows} | {checksum} |")
    return "\n".join(lines)


def _backup_asset(logical: str):
    from genims_platform.catalog import TARGET_DATABASES

    key = backup_key(logical)
    database = TARGET_DATABASES[logical]

    @dg.asset(
        key=key,
        group_name=GROUP,
        kinds={"mysql", "azure"},
        owners=["team:data-platform"],
        deps=table_keys(logical),
        tags={"genims/category": "backup"},
        op_tags={"genims/target": "operations"},
        required_resource_keys={f"mysql_{logical}", "mysql_audit", STORAGE_RESOURCE},
        description=(
            f"Nightly backup of {database}: a consistent dump (single transaction, routines, "
            "triggers, events, hex blobs) streamed gzip-compressed into the backup container, "
            "with a manifest of every table's row count and CHECKSUM TABLE taken in the same "
            "snapshot; recorded in document_retention_log. The run also deletes the "
            "database's expired backups (docs/backups.md). Checked by restore_verified."
        ),
        metadata={"database": database},
    )
    def backup(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        from genims_platform.operations.backup_records import backup_database

        resource = getattr(context.resources, f"mysql_{logical}")
        storage: BackupStorage = getattr(context.resources, STORAGE_RESOURCE)
        nightly = backup_database(
            resource.target(),
            context.resources.mysql_audit,
            storage.store(),
            storage.container,
            logical=logical,
            policy=storage.policy(),
            performed_by=f"backup asset (run {context.run.run_id})",
            secrets=_secrets(context.resources),
            log=context.log.info,
        )
        result, swept = nightly.backup, nightly.retention
        metadata = {
            "blob": dg.MetadataValue.text(result.location),
            "blob_name": dg.MetadataValue.text(result.name),
            "manifest": dg.MetadataValue.text(result.manifest),
            "sha256": dg.MetadataValue.text(result.sha256),
            "size_bytes": dg.MetadataValue.int(result.size_bytes),
            "sql_bytes": dg.MetadataValue.int(result.sql_bytes),
            "dagster/row_count": dg.MetadataValue.int(result.rows),
            "tables": dg.MetadataValue.int(len(result.tables)),
            "taken_at": dg.MetadataValue.timestamp(result.taken_at),
            "seconds": dg.MetadataValue.float(round(result.seconds, 3)),
            "sql_mb_per_s": dg.MetadataValue.float(round(result.sql_mb_per_s, 2)),
            "rows_per_s": dg.MetadataValue.float(round(result.rows_per_s, 1)),
            "lock_held_ms": dg.MetadataValue.int(int(result.lock_held_s * 1000)),
            "retention_rule": dg.MetadataValue.text(result.rule.label),
            "keep_until": dg.MetadataValue.text(result.keep_until.isoformat()),
            "expired_deleted": dg.MetadataValue.int(len(swept.deleted)),
            "expired_retained": dg.MetadataValue.int(len(swept.retained)),
            "table_figures": dg.MetadataValue.md(_tables_markdown(result.tables)),
        }
        if result.rule.immutable:
            metadata["immutable_until"] = dg.MetadataValue.text(
                result.immutable_until.isoformat()
                if result.immutable_until
                else result.immutability_note or "not set"
            )
        return dg.MaterializeResult(metadata=metadata)

    return backup


def _latest_backup(context, key: dg.AssetKey, storage: BackupStorage, database: str) -> str | None:
    """The blob of the asset's latest materialisation, else the newest complete backup."""
    from genims_platform.operations.backup_retention import list_backups

    event = context.instance.get_latest_materialization_event(key)
    if event is not None and event.asset_materialization is not None:
        found = event.asset_materialization.metadata.get("blob_name")
        if found is not None:
            return str(found.value)
    complete = [b for b in list_backups(storage.store(), storage.container, database) if b.complete]
    return complete[-1].name if complete else None


def _verify_check(logical: str):
    key = backup_key(logical)
    resources = {f"mysql_{logical}", "mysql_audit", STORAGE_RESOURCE}
    if logical == "audit":
        resources.add("audit_blob")

    @dg.asset_check(
        asset=key,
        name=CHECK_NAME,
        blocking=True,
        required_resource_keys=resources,
        description=(
            "Restores the backup just written into a scratch database (dropped afterwards), "
            "checks its SHA-256 against the values recorded at creation, and compares every "
            "table's row count and CHECKSUM TABLE with the snapshot's"
            + (
                "; re-verifies the hash chains of the restored copy and the digests exported "
                "before the backup."
                if logical == "audit"
                else "."
            )
            + " Recorded in document_retention_log (VERIFIED / VERIFY_FAILED)."
        ),
    )
    def restore_verified(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        from genims_platform.operations.backup_records import verify_and_record

        resource = getattr(context.resources, f"mysql_{logical}")
        storage: BackupStorage = getattr(context.resources, STORAGE_RESOURCE)
        name = _latest_backup(context, key, storage, resource.database)
        if name is None:
            return dg.AssetCheckResult(
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                description=f"no backup of {resource.database} in {storage.container} to verify",
            )
        digests = getattr(context.resources, "audit_blob", None)
        result = verify_and_record(
            resource.target(),
            context.resources.mysql_audit,
            storage.store(),
            storage.container,
            name,
            logical=logical,
            performed_by=f"restore verification (run {context.run.run_id})",
            digest_store=digests.store() if digests is not None else None,
            digest_container=digests.container if digests is not None else None,
            log=context.log.info,
        )
        differing = ", ".join(sorted(result.differences)) or "none"
        metadata = {
            "blob": dg.MetadataValue.text(result.location),
            "tables_compared": dg.MetadataValue.int(result.tables),
            "rows_compared": dg.MetadataValue.int(result.rows_compared),
            "tables_differing": dg.MetadataValue.text(differing),
            "problems": dg.MetadataValue.int(len(result.problems)),
            "sha256_expected": dg.MetadataValue.text(result.expected_sha256 or ""),
            "sha256_downloaded": dg.MetadataValue.text(result.actual_sha256 or ""),
            "scratch_database": dg.MetadataValue.text(result.scratch),
            "scratch_dropped": dg.MetadataValue.bool(result.scratch_dropped),
            "seconds": dg.MetadataValue.float(round(result.seconds, 3)),
            "restore_seconds": dg.MetadataValue.float(round(result.load.seconds, 3)),
            "restore_mb_per_s": dg.MetadataValue.float(round(result.load.sql_mb_per_s, 2)),
        }
        if result.chain is not None:
            metadata["chain_status"] = dg.MetadataValue.text(result.chain.status)
            metadata["chain_rows_verified"] = dg.MetadataValue.int(result.chain.rows)
        if result.digests is not None:
            metadata["digest_status"] = dg.MetadataValue.text(result.digests.status)
        if result.notes:
            metadata["notes"] = dg.MetadataValue.text("; ".join(result.notes))
        if result.passed:
            description = (
                f"restored {result.tables} tables, {result.rows_compared} rows: row counts, "
                "CHECKSUM TABLE and SHA-256 match"
            )
        else:
            description = "RESTORE VERIFICATION FAILED: " + "; ".join(result.problems[:10])
        return dg.AssetCheckResult(
            passed=result.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=description[:4000],
            metadata=metadata,
        )

    return restore_verified


def backup_definitions() -> dg.Definitions:
    from genims_platform.settings import backup_settings

    settings = backup_settings()
    assets = [_backup_asset(logical) for logical in LOGICALS]
    checks = [_verify_check(logical) for logical in LOGICALS]
    job = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.assets(*(backup_key(logical) for logical in LOGICALS)),
        tags={"genims/target": "operations"},
        description="Backs up the three MySQL databases and verifies each backup by restoring it.",
    )
    at = settings.daily_time
    schedule = dg.ScheduleDefinition(
        name=SCHEDULE_NAME,
        job=job,
        cron_schedule=f"{at.minute} {at.hour} * * *",
        execution_timezone="UTC",
        default_status=(
            dg.DefaultScheduleStatus.RUNNING
            if settings.enabled
            else dg.DefaultScheduleStatus.STOPPED
        ),
        description=(
            f"Daily at {at:%H:%M} UTC (BACKUP_DAILY_TIME): backups of reporting, analytics "
            "and audit, each verified by a restore"
            + ("" if settings.enabled else "; BACKUP_ENABLED=false: stopped by default")
            + "."
        ),
    )
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=[job],
        schedules=[schedule],
        resources=backup_resources(),
    )


__all__ = [
    "CHECK_NAME",
    "GROUP",
    "SCHEDULE_NAME",
    "STORAGE_RESOURCE",
    "BackupStorage",
    "backup_definitions",
    "backup_key",
    "backup_resources",
]
