"""Retention of the reporting and audit databases, and legal holds, as Dagster definitions.

* `data_retention_schedule` (group ``operations``), scheduled daily at `RETENTION_DAILY_TIME`
  (02:30 UTC): reporting partitions older than `REPORTING_RETENTION_MONTHS` are deleted
  (`reporting_retention`); audit rows past their retention period are archived to blob storage
  and purged as the retention account, except rows under a legal hold (`audit_retention`);
  blob legal holds are aligned with the active holds (`legal_holds.sync_blob_holds`). Every
  action is appended to the audit table `data_retention_schedule`. Run config ``dry_run: true``
  previews: it records DRY_RUN rows and changes nothing else. The check `retention_completed`
  fails when any action FAILED.
* `legal_hold_records` (group ``operations``), materialised by `legal_hold_job` with the config
  of one place or release (`LegalHoldConfig`), as the audit database's owner account.

`run_retention` is the same work without Dagster (the `genims retention run` command, tests).
"""

# No `from __future__ import annotations`: Dagster reads the config classes from the asset
# functions' annotations at definition time.

import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import dagster as dg
from pydantic import Field

from genims_platform.lib.errors import GenimsError

TARGETS = ("reporting", "audit")
GROUP = "operations"
RETENTION_DB = "mysql_audit_retention"
RETENTION_OPTIONS = "retention_options"
RETENTION_JOB = "retention_job"
LEGAL_HOLD_JOB = "legal_hold_job"


@dataclass(frozen=True)
class RetentionRequest:
    """One retention run: preview or act, on which databases, optionally on some tables."""

    dry_run: bool = False
    targets: tuple[str, ...] = TARGETS
    tables: tuple[str, ...] = ()


@dataclass
class RetentionReport:
    """What a run did (or, dry, would do): every action it recorded."""

    run_id: str
    dry_run: bool
    actions: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    blob_holds: object | None = None
    seconds: float = 0.0

    def rows(self, status: str, target: str | None = None) -> int:
        return sum(
            a.rows
            for a in self.actions
            if a.status == status and (target is None or a.target == target)
        )

    @property
    def failed(self) -> list:
        return [a for a in self.actions if a.status == "FAILED"]

    def lines(self) -> list[str]:
        out = []
        for a in self.actions:
            window = f"[{a.window_start:%Y-%m-%d}, {a.window_end:%Y-%m-%d})"
            note = ""
            held = a.details.get("held") if a.details else None
            if held:
                note = (
                    f"; kept by holds {', '.join(map(str, a.hold_ids))}: "
                    f"{held['under_hold']} under hold, {held['behind_hold']} behind a hold"
                )
            elif a.status == "HELD":
                note = f" (holds {', '.join(map(str, a.hold_ids))})"
            elif a.status == "FAILED":
                note = f": {a.details.get('error', '')}"
            elif a.archive_location:
                note = f" -> {a.archive_location}"
            out.append(
                f"{a.target:<9} {a.table:<34} {window} {a.status:<8} {a.rows:>9,} rows{note}"
            )
        if not self.actions:
            out.append("nothing is past its retention period")
        out.extend(f"problem: {p}" for p in self.problems)
        return out


class RetentionRequestError(GenimsError):
    """A retention request names something that does not exist; nothing was done."""


@contextmanager
def dedicated_connection(db):
    """A connection of its own (not pooled): the purge session's variable dies with it."""
    from genims_platform.lib import mysql

    with mysql.connect(db.target()) as conn:
        with conn.cursor() as cur:
            cur.execute("SET SESSION time_zone = '+00:00'")
        conn.commit()
        yield conn


def run_retention(
    audit,
    reporting,
    store,
    *,
    chunk_rows: int,
    reporting_months: int,
    archive_container: str,
    backup_container: str,
    request: RetentionRequest,
    run_id: str,
    performed_by: str,
    log: Callable[[str], None] = lambda message: None,
    streams: Callable[[str], bool] | None = None,
) -> RetentionReport:
    """One retention run. `audit` is the audit database as the retention account (it deletes),
    `reporting` the reporting database (None when the request leaves it out)."""
    from genims_platform.audit.verify import chained_tables
    from genims_platform.operations import audit_retention as ar
    from genims_platform.operations import reporting_retention as rr
    from genims_platform.operations.legal_holds import HoldTargets, read_holds, sync_blob_holds
    from genims_platform.operations.retention_log import RunInfo
    from genims_platform.reporting.tables import REPORTING_TABLES

    started = time.perf_counter()
    unknown_targets = [t for t in request.targets if t not in TARGETS]
    if unknown_targets or not request.targets:
        raise RetentionRequestError(
            f"retention targets must be among {', '.join(TARGETS)}, got {list(request.targets)}"
        )
    report = RetentionReport(run_id, request.dry_run)
    with dedicated_connection(audit) as conn:
        with conn.cursor() as cur:
            now = ar.database_now(cur)
            audit_tables = chained_tables(cur) if "audit" in request.targets else []
            holds = read_holds(cur)
        conn.commit()
        reporting_specs = (
            [s for s in REPORTING_TABLES if s.partitioning]
            if "reporting" in request.targets
            else []
        )
        if request.tables:
            known = {s.name for s in reporting_specs} | set(audit_tables)
            unknown = sorted(set(request.tables) - known)
            if unknown:
                raise RetentionRequestError(
                    f"unknown table(s) {', '.join(unknown)} for retention of "
                    f"{' and '.join(request.targets)}; known: {', '.join(sorted(known))}"
                )
            reporting_specs = [s for s in reporting_specs if s.name in request.tables]
            audit_tables = [t for t in audit_tables if t in request.tables]
        today = now.date()
        run = RunInfo(run_id, f"{performed_by} as {audit.user}", today, today + timedelta(days=1))
        if reporting_specs:
            keep_from = rr.horizon(today, reporting_months)
            _reporting(conn, reporting, reporting_specs, keep_from, chunk_rows, run, report, log)
        for table in audit_tables:
            with conn.cursor() as cur:
                plan = ar.plan_table(cur, table, now, holds, page_rows=chunk_rows, streams=streams)
            conn.commit()
            if not plan.windows:
                continue
            ctx = ar.AuditContext(
                database=audit.database,
                store=store,
                container=archive_container,
                run=run,
                chunk_rows=chunk_rows,
                dry_run=request.dry_run,
                log=log,
            )
            report.actions.extend(ar.execute_table(conn, plan, ctx))
        if "audit" in request.targets and not request.dry_run:
            try:
                report.blob_holds = sync_blob_holds(
                    conn,
                    store,
                    HoldTargets(audit.database, archive_container, backup_container),
                    performed_by=run.performed_by,
                    log=log,
                )
            except GenimsError as error:
                report.problems.append(f"blob legal holds not aligned: {error}")
    report.seconds = time.perf_counter() - started
    return report


def _reporting(conn, reporting, specs, keep_from, chunk_rows, run, report, log) -> None:
    """Delete (or preview) the reporting partitions before `keep_from`, table by table; each
    table's actions are recorded through `conn` (the audit database)."""
    import pymysql

    from genims_platform.operations import reporting_retention as rr
    from genims_platform.operations.retention_log import record_actions

    today = run.review_date
    with reporting.connect() as rconn:
        with rconn.cursor() as cur:
            plans = rr.plan_reporting(cur, specs, keep_from)
        rconn.commit()
        for plan in plans:
            partitions = plan.by_partition
            first = "DRY_RUN" if report.dry_run else "PLANNED"
            actions = [
                rr.action(plan, reporting.database, today, first, plan.rows, partitions=partitions)
            ]
            record_actions(conn, actions, [], run)
            if not report.dry_run:
                try:
                    deleted = rr.execute_reporting(rconn, plan, chunk_rows, log)
                    done = rr.action(
                        plan,
                        reporting.database,
                        today,
                        "PURGED",
                        sum(deleted.values()),
                        partitions=deleted,
                    )
                except (GenimsError, pymysql.err.MySQLError) as error:
                    rconn.rollback()
                    done = rr.action(
                        plan, reporting.database, today, "FAILED", plan.rows, error=str(error)
                    )
                    log(f"retention of {plan.spec.name} failed: {error}")
                record_actions(conn, [done], [], run)
                actions.append(done)
            report.actions.extend(actions)


class RetentionOptions(dg.ConfigurableResource):
    """Retention settings and blob storage (archives of purged audit rows, audit backups)."""

    connection_string: str = "UseDevelopmentStorage=true"
    archive_container: str = "genims-audit-archive"
    backup_container: str = "genims-backups"
    reporting_months: int = 12
    chunk_rows: int = 5000

    def store(self):
        from genims_platform.lib.blob import AzureBlobStore

        return AzureBlobStore(self.connection_string)


class RetentionConfig(dg.Config):
    """A retention run: `dry_run` previews (records DRY_RUN rows, changes nothing else)."""

    dry_run: bool = False
    targets: list[str] = Field(default_factory=lambda: list(TARGETS))
    tables: list[str] = Field(
        default_factory=list, description="Only these tables (reporting or audit); empty: all."
    )


class LegalHoldConfig(dg.Config):
    """Place or release a legal hold (see docs/retention.md)."""

    action: str = Field(description="place or release")
    legal_matter_id: str = ""
    case_name: str = ""
    tables: list[str] = Field(default_factory=list, description="Audit tables; empty: all.")
    streams: list[str] = Field(default_factory=list, description="Streams, <table>/<part>.")
    covers_from: str = Field(default="", description="YYYY-MM-DD or ISO date-time (UTC).")
    covers_to: str = Field(default="", description="YYYY-MM-DD (whole day) or date-time.")
    reason: str = ""
    expires_on: str = Field(default="", description="Review date (YYYY-MM-DD), informational.")
    hold_ids: list[int] = Field(default_factory=list, description="Holds to release.")
    operator: str = Field(default="", description="Who asked (recorded).")


def retention_resources(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """The retention account's connection and the retention options; only the presence of
    variables is looked at here."""
    import os

    from genims_platform.lib.environment import audit_connection
    from genims_platform.lib.environment import env_value as _env
    from genims_platform.lib.resources import MySQLDatabase

    environ = os.environ if environ is None else environ
    return {
        RETENTION_DB: MySQLDatabase(logical="audit", **audit_connection("retention", environ)),
        RETENTION_OPTIONS: RetentionOptions(
            connection_string=_env(
                "AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true", environ
            ),
            archive_container=_env("AUDIT_ARCHIVE_CONTAINER", "genims-audit-archive", environ),
            backup_container=_env("BACKUP_AZURE_CONTAINER", "genims-backups", environ),
            reporting_months=_env("REPORTING_RETENTION_MONTHS", 12, environ),
            chunk_rows=_env("RETENTION_CHUNK_ROWS", 5000, environ),
        ),
    }


def _column_schema(table: str) -> dg.TableSchema:
    from genims_platform.lib.schema import table_schema

    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.sql_type,
                description=c.description or None,
                constraints=dg.TableColumnConstraints(nullable=c.nullable),
            )
            for c in table_schema("audit", table).columns
        ]
    )


def _metadata(table: str, database: str) -> dict:
    return {
        "dagster/table_name": f"{database}.{table}",
        "dagster/column_schema": _column_schema(table),
        "append_only": dg.MetadataValue.text("yes: hash-chained, UPDATE/DELETE refused"),
    }


def _markdown(report: RetentionReport) -> str:
    lines = ["| database | table | window | status | rows |", "|---|---|---|---|---|"]
    for a in report.actions:
        lines.append(
            f"| {a.target} | {a.table} | {a.window_start:%Y-%m-%d} .. {a.window_end:%Y-%m-%d} | "
            f"{a.status} | {a.rows} |"
        )
    return "\n".join(lines)


def _retention_asset(database: str):
    from genims_platform.lib.keys import target_key

    key = target_key("audit", "data_retention_schedule")

    @dg.asset(
        key=key,
        group_name=GROUP,
        kinds={"mysql", "azure"},
        owners=["team:data-platform"],
        description=(
            "Every action of the daily retention job, per table and window: PLANNED, ARCHIVED, "
            "PURGED, HELD, DRY_RUN or FAILED. A run deletes reporting partitions older than "
            "REPORTING_RETENTION_MONTHS (12) and archives, then purges, audit rows past their "
            "retention period (audit_retention_policy, 2555 days) as the retention account, "
            "never rows under a legal hold (docs/retention.md). Config dry_run: true previews."
        ),
        metadata=_metadata("data_retention_schedule", database),
        check_specs=[
            dg.AssetCheckSpec(
                "retention_completed",
                asset=key,
                description="No retention action of the run FAILED and blob legal holds are "
                "aligned with the active holds.",
            )
        ],
        required_resource_keys={"mysql_reporting", RETENTION_DB, RETENTION_OPTIONS},
        op_tags={"genims/target": "audit"},
    )
    def data_retention_schedule(context: dg.AssetExecutionContext, config: RetentionConfig):
        options: RetentionOptions = getattr(context.resources, RETENTION_OPTIONS)
        try:
            report = run_retention(
                getattr(context.resources, RETENTION_DB),
                context.resources.mysql_reporting,
                options.store(),
                chunk_rows=options.chunk_rows,
                reporting_months=options.reporting_months,
                archive_container=options.archive_container,
                backup_container=options.backup_container,
                request=RetentionRequest(
                    dry_run=config.dry_run,
                    targets=tuple(config.targets),
                    tables=tuple(config.tables),
                ),
                run_id=context.run.run_id,
                performed_by=f"retention job (run {context.run.run_id})",
                log=context.log.info,
            )
        except RetentionRequestError as error:
            raise dg.Failure(description=f"retention not run: {error}") from None
        statuses = ("PLANNED", "ARCHIVED", "PURGED", "HELD", "DRY_RUN", "FAILED")
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "dagster/row_count": dg.MetadataValue.int(len(report.actions)),
                "dry_run": dg.MetadataValue.bool(report.dry_run),
                **{f"rows_{s.lower()}": dg.MetadataValue.int(report.rows(s)) for s in statuses},
                "actions": dg.MetadataValue.md(_markdown(report)),
                "duration_seconds": dg.MetadataValue.float(round(report.seconds, 3)),
            },
        )
        problems = [f"{a.table}: {a.details.get('error', '')}" for a in report.failed]
        problems += report.problems
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name="retention_completed",
            passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            description="\n".join(problems[:50]) or "every retention action completed",
            metadata={"failed_actions": dg.MetadataValue.int(len(report.failed))},
        )

    return data_retention_schedule


def apply_legal_hold(
    owner, store, options: RetentionOptions, config: LegalHoldConfig, performed_by: str
) -> tuple[list, object]:
    """Place or release as `config` says, as the owner account; then align blob holds."""
    from genims_platform.operations import legal_holds as lh

    action = config.action.strip().lower()
    with dedicated_connection(owner) as conn:
        if action == "place":
            request = lh.HoldRequest(
                legal_matter_id=config.legal_matter_id,
                case_name=config.case_name,
                reason=config.reason,
                tables=tuple(config.tables),
                streams=tuple(config.streams),
                covers_from=lh.parse_moment(config.covers_from, name="covers_from"),
                covers_to=lh.parse_moment(config.covers_to, name="covers_to", end_of_day=True),
                expires_on=_day(config.expires_on),
            )
            holds = lh.place_hold(conn, request, performed_by=performed_by)
        elif action == "release":
            holds = lh.release_holds(
                conn,
                hold_ids=config.hold_ids,
                legal_matter_id=config.legal_matter_id or None,
                reason=config.reason,
                performed_by=performed_by,
            )
        else:
            raise lh.LegalHoldError(f"action must be place or release, got {config.action!r}")
        try:
            synced = lh.sync_blob_holds(
                conn,
                store,
                lh.HoldTargets(owner.database, options.archive_container, options.backup_container),
                performed_by=performed_by,
            )
        except GenimsError as error:
            # The hold is committed and enforced in the database; the next retention run aligns
            # the blob holds again.
            conn.rollback()
            synced = lh.BlobHoldSync(errors=[f"blob legal holds not aligned yet: {error}"])
    return holds, synced


def _day(text: str) -> date | None:
    from genims_platform.operations.legal_holds import LegalHoldError

    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise LegalHoldError(f"expires_on must be YYYY-MM-DD, got {text!r}") from None


def _legal_hold_asset(database: str):
    from genims_platform.lib.keys import target_key

    key = target_key("audit", "legal_hold_records")

    @dg.asset(
        key=key,
        group_name=GROUP,
        kinds={"mysql"},
        owners=["team:data-platform"],
        description=(
            "The business record of every legal hold placed or released (PLACED / RELEASED, "
            "matter, case, coverage, reason). Materialised by legal_hold_job with the config "
            "of one place or release, as the audit database's owner account; the hold itself "
            "lives in audit_legal_hold, which the purge trigger enforces. Audit archives and "
            "audit backups a hold covers get a blob legal hold."
        ),
        metadata=_metadata("legal_hold_records", database),
        required_resource_keys={"mysql_audit", RETENTION_OPTIONS},
        op_tags={"genims/target": "audit"},
    )
    def legal_hold_records(context: dg.AssetExecutionContext, config: LegalHoldConfig):
        from genims_platform.operations.legal_holds import LegalHoldError

        options: RetentionOptions = getattr(context.resources, RETENTION_OPTIONS)
        who = config.operator.strip() or "legal_hold_job"
        performed_by = f"{who} (run {context.run.run_id})"
        try:
            holds, synced = apply_legal_hold(
                context.resources.mysql_audit, options.store(), options, config, performed_by
            )
        except LegalHoldError as error:
            raise dg.Failure(description=f"legal hold not {config.action}d: {error}") from None
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": dg.MetadataValue.int(len(holds)),
                "action": dg.MetadataValue.text(config.action.lower()),
                "hold_ids": dg.MetadataValue.text(", ".join(str(h.hold_id) for h in holds)),
                "holds": dg.MetadataValue.md("\n".join(f"- {h.describe()}" for h in holds)),
                "blobs_held": dg.MetadataValue.int(len(synced.held) + len(synced.not_enforced)),
                "blobs_released": dg.MetadataValue.int(len(synced.released)),
                "blob_holds_not_enforced": dg.MetadataValue.int(len(synced.not_enforced)),
                "blob_hold_errors": dg.MetadataValue.text("; ".join(synced.errors) or "none"),
            }
        )

    return legal_hold_records


def retention_definitions() -> dg.Definitions:
    from genims_platform.lib.environment import physical_target_names
    from genims_platform.settings import retention_settings

    database = physical_target_names()["audit"]
    daily = retention_settings().daily_time
    retention = _retention_asset(database)
    holds = _legal_hold_asset(database)
    retention_job = dg.define_asset_job(
        RETENTION_JOB, selection=[retention.key], tags={"genims/target": "audit"}
    )
    hold_job = dg.define_asset_job(
        LEGAL_HOLD_JOB, selection=[holds.key], tags={"genims/target": "audit"}
    )
    schedule = dg.ScheduleDefinition(
        name="retention_daily",
        job=retention_job,
        cron_schedule=f"{daily.minute} {daily.hour} * * *",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Daily retention at {daily:%H:%M} UTC (RETENTION_DAILY_TIME).",
    )
    return dg.Definitions(
        assets=[retention, holds],
        jobs=[retention_job, hold_job],
        schedules=[schedule],
        resources=retention_resources(),
    )
