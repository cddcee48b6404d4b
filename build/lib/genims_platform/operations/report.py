"""The daily compliance report: a PDF per UTC day, stored in blob storage and recorded in the
audit database.

Every day at ``COMPLIANCE_REPORT_TIME`` (UTC, default 03:00) the `compliance_report` asset
renders the report of the previous day (one daily partition per report day, so any past day
can be generated or backfilled from the UI or the CLI):

1. `compliance_data.gather` reads the day's figures from the audit database through the
   read-only compliance account (``MYSQL_AUDIT_COMPLIANCE_*``; the owner account when that
   account has no password) and the freshness history from the Dagster instance;
2. a `ReportRenderer` (`compliance_pdf.FpdfRenderer`) lays them out as a PDF;
3. the PDF is uploaded to ``COMPLIANCE_REPORT_CONTAINER`` as
   ``<YYYY>/<MM>/compliance-<YYYY-MM-DD>.pdf`` with its SHA-256 in the blob metadata. A report is
   never overwritten: generating a day again (a backfill after late data, a re-run) stores the
   next revision, ``compliance-<day>.r2.pdf``, ``.r3.pdf``, ..., so what an auditor received
   stays retrievable and a WORM container keeps working;
4. the upload is recorded in `document_retention_log` (document type COMPLIANCE_REPORT, action
   CREATED) with the retention requirement (``COMPLIANCE_REPORT_RETENTION_DAYS``, default 2555
   days = 7 years) and the first day the report may be deleted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import dagster as dg

from genims_platform.lib.errors import GenimsError, first_line, scrub

if TYPE_CHECKING:
    from genims_platform.lib.blob import BlobStore
    from genims_platform.lib.resources import MySQLDatabase
    from genims_platform.operations.compliance_data import ComplianceData
    from genims_platform.operations.compliance_pdf import RenderedReport, ReportRenderer

REPORT_KEY = dg.AssetKey(["operations", "compliance_report"])
GROUP = "operations"
READER_RESOURCE = "compliance_report_reader"
BLOB_RESOURCE = "compliance_report_blob"
OWNER_RESOURCE = "mysql_audit"
JOB = "compliance_report_job"
SCHEDULE = "compliance_report_daily"
DOCUMENT_TYPE = "COMPLIANCE_REPORT"
MAX_REVISIONS = 999

DEFAULT_TIME = time(3, 0)
DEFAULT_CONTAINER = "genims-compliance-reports"
DEFAULT_RETENTION_DAYS = 2555

AUDIT_TABLES_READ = (
    "system_audit_log",
    "security_event_log",
    "validation_rule_execution",
    "audit_trail_integrity",
    "sla_compliance_tracking",
    "gdpr_data_request_log",
)
"""Audit tables the report reads that are assets of the code location (lineage); it also reads
every other chained table's append times, the document log and the legal holds."""


class ReportError(GenimsError):
    """The compliance report could not be produced or stored; the message says why."""


@dataclass(frozen=True)
class ReportSettings:
    """``COMPLIANCE_REPORT_TIME`` (HH:MM, UTC), ``COMPLIANCE_REPORT_CONTAINER`` and
    ``COMPLIANCE_REPORT_RETENTION_DAYS``."""

    daily_time: time = DEFAULT_TIME
    container: str = DEFAULT_CONTAINER
    retention_days: int = DEFAULT_RETENTION_DAYS


def report_settings(environ: Mapping[str, str] | None = None) -> ReportSettings:
    """Read and check the report's settings (at call time, never at import)."""
    from genims_platform.settings import SettingsError

    env = os.environ if environ is None else environ
    raw_time = (env.get("COMPLIANCE_REPORT_TIME") or "").split("#", 1)[0].strip()
    daily = DEFAULT_TIME
    if raw_time:
        try:
            hours, minutes = raw_time.split(":")
            daily = time(int(hours), int(minutes))
        except ValueError:
            raise SettingsError(
                f"COMPLIANCE_REPORT_TIME must be HH:MM (UTC), got {raw_time!r}"
            ) from None
    container = (env.get("COMPLIANCE_REPORT_CONTAINER") or DEFAULT_CONTAINER).strip()
    if not (3 <= len(container) <= 63) or not all(
        c.islower() or c.isdigit() or c == "-" for c in container
    ):
        raise SettingsError(
            "COMPLIANCE_REPORT_CONTAINER must be 3-63 lowercase letters, digits or '-', "
            f"got {container!r}"
        )
    raw_days = (env.get("COMPLIANCE_REPORT_RETENTION_DAYS") or "").split("#", 1)[0].strip()
    days = DEFAULT_RETENTION_DAYS
    if raw_days:
        try:
            days = int(raw_days)
        except ValueError:
            days = 0
        if days < 1:
            raise SettingsError(
                f"COMPLIANCE_REPORT_RETENTION_DAYS must be a positive integer, got {raw_days!r}"
            )
    return ReportSettings(daily, container, days)


def blob_prefix(day: date) -> str:
    return f"{day:%Y}/{day:%m}/compliance-{day.isoformat()}"


def blob_name(day: date, revision: int = 1) -> str:
    """``<YYYY>/<MM>/compliance-<day>.pdf``; later revisions ``compliance-<day>.r<N>.pdf``."""
    suffix = "" if revision == 1 else f".r{revision}"
    return f"{blob_prefix(day)}{suffix}.pdf"


def revision_of(name: str, day: date) -> int | None:
    """The revision a stored name holds for `day` (None: not a report of that day)."""
    prefix = blob_prefix(day)
    if not name.startswith(prefix) or not name.endswith(".pdf"):
        return None
    middle = name[len(prefix) : -len(".pdf")]
    if middle == "":
        return 1
    if middle.startswith(".r") and middle[2:].isdigit():
        return int(middle[2:])
    return None


@dataclass(frozen=True)
class ReportOutcome:
    """One stored report."""

    day: date
    container: str
    name: str
    revision: int
    size_bytes: int
    sha256: str
    pages: int
    figures: dict[str, Any]
    gather_seconds: float
    render_seconds: float
    deletion_scheduled: date

    @property
    def location(self) -> str:
        return f"{self.container}/{self.name}"


def check_day(day: date, now: datetime | None = None) -> None:
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    if day > today:
        raise ReportError(
            f"no compliance report for {day.isoformat()}: the day has not begun (today is "
            f"{today.isoformat()} UTC)"
        )


def render_report(
    reader: MySQLDatabase,
    day: date,
    *,
    instance=None,
    renderer: ReportRenderer | None = None,
    now: datetime | None = None,
) -> tuple[ComplianceData, RenderedReport]:
    """Gather the figures of `day` through `reader` and render them."""
    from dataclasses import replace

    from genims_platform.operations.compliance_data import day_bounds, gather
    from genims_platform.operations.compliance_pdf import FpdfRenderer

    now = now or datetime.now(UTC)
    check_day(day, now)
    with reader.connect() as conn:
        data = gather(conn, day, database=reader.database, instance=instance, now=now)
    if now.astimezone(UTC).replace(tzinfo=None) < day_bounds(day)[1]:
        data = replace(
            data,
            notes=(
                *data.notes,
                "The day was not over when this report was generated: its figures are partial.",
            ),
        )
    return data, (renderer or FpdfRenderer()).render(data)


def store_report(
    owner: MySQLDatabase,
    blob: BlobStore,
    container: str,
    data: ComplianceData,
    rendered: RenderedReport,
    *,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    performed_by: str = "compliance report",
) -> ReportOutcome:
    """Upload the report as the next free revision of its day and record it in
    document_retention_log (as the audit database's owner, inside one append transaction)."""
    from genims_platform.audit.chain import begin_append
    from genims_platform.lib.blob import BlobExistsError, sha256_of
    from genims_platform.operations.documents import DocumentAction, record_document_actions

    blob.ensure_container(container)
    day = data.day
    taken = [
        r for b in blob.list(container, prefix=blob_prefix(day)) if (r := revision_of(b.name, day))
    ]
    revision = max(taken, default=0) + 1
    digest = sha256_of(rendered.pdf)
    metadata = {
        "document_type": DOCUMENT_TYPE,
        "report_day": day.isoformat(),
        "revision": str(revision),
        "pages": str(rendered.pages),
    }
    while True:
        if revision > MAX_REVISIONS:
            raise ReportError(f"{container}: {day.isoformat()} already has {MAX_REVISIONS} reports")
        name = blob_name(day, revision)
        try:
            info = blob.put(
                container, name, rendered.pdf, metadata={**metadata, "revision": str(revision)}
            )
            break
        except BlobExistsError:
            # Another generation of the same day took this revision in the meantime.
            revision += 1
    created = data.generated_at.astimezone(UTC)
    deletion = created.date() + timedelta(days=retention_days)
    action = DocumentAction(
        container=container,
        name=name,
        document_type=DOCUMENT_TYPE,
        action="CREATED",
        retention_requirement=f"compliance reports: {retention_days} days",
        performed_by=performed_by,
        deletion_scheduled=deletion,
        size_bytes=len(rendered.pdf),
        sha256=digest,
        details={
            "report_day": day.isoformat(),
            "revision": revision,
            "supersedes": f"{container}/{blob_name(day, revision - 1)}" if revision > 1 else None,
            "pages": rendered.pages,
            "figures": rendered.figures,
        },
    )
    try:
        with owner.connect() as conn:
            try:
                begin_append(conn)
                with conn.cursor() as cur:
                    record_document_actions(cur, [action], now=created)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
    except Exception as error:
        reason = scrub(first_line(error), [owner.password])
        raise ReportError(
            f"the report was stored at {container}/{name} but could not be recorded in "
            f"document_retention_log ({type(error).__name__}: {reason}); generating the day "
            "again stores and records the next revision"
        ) from None
    return ReportOutcome(
        day=day,
        container=container,
        name=name,
        revision=revision,
        size_bytes=info.size or len(rendered.pdf),
        sha256=digest,
        pages=rendered.pages,
        figures=dict(rendered.figures),
        gather_seconds=data.gather_seconds,
        render_seconds=rendered.seconds,
        deletion_scheduled=deletion,
    )


class ReportBlob(dg.ConfigurableResource):
    """Blob storage of the compliance reports (Azurite locally)."""

    connection_string: str = "UseDevelopmentStorage=true"
    container: str = DEFAULT_CONTAINER
    retention_days: int = DEFAULT_RETENTION_DAYS

    def store(self) -> BlobStore:
        from genims_platform.lib.blob import AzureBlobStore

        return AzureBlobStore(self.connection_string)


def report_resources(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """The reader (compliance account when its password is set, else the owner) and the blob
    store; only the presence of variables is looked at here, never a secret."""
    from genims_platform.lib.environment import audit_connection
    from genims_platform.lib.environment import env_value as _env
    from genims_platform.lib.resources import MySQLDatabase

    environ = os.environ if environ is None else environ
    return {
        READER_RESOURCE: MySQLDatabase(logical="audit", **audit_connection("compliance", environ)),
        BLOB_RESOURCE: ReportBlob(
            connection_string=_env(
                "AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true", environ
            ),
            container=_env("COMPLIANCE_REPORT_CONTAINER", DEFAULT_CONTAINER, environ),
            retention_days=_env(
                "COMPLIANCE_REPORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, environ
            ),
        ),
    }


def _markdown(outcome: ReportOutcome, findings: list[str]) -> str:
    lines = [f"**{outcome.location}** ({outcome.pages} pages)", ""]
    lines += [f"- {f}" for f in findings] or ["- no exceptions"]
    return "\n".join(lines)


def report_asset(
    partitions: dg.DailyPartitionsDefinition, settings: ReportSettings
) -> dg.AssetsDefinition:
    """The `compliance_report` asset (resources: READER_RESOURCE, BLOB_RESOURCE and the audit
    owner, OWNER_RESOURCE, which records the document)."""
    from genims_platform.lib.keys import target_key

    at = settings.daily_time
    deadline = f"{at.minute} {(at.hour + 1) % 24} * * *"

    @dg.asset(
        key=REPORT_KEY,
        group_name=GROUP,
        partitions_def=partitions,
        deps=[target_key("audit", t) for t in AUDIT_TABLES_READ],
        kinds={"pdf", "azure"},
        required_resource_keys={READER_RESOURCE, BLOB_RESOURCE, OWNER_RESOURCE},
        check_specs=[
            dg.AssetCheckSpec(
                "report_stored_intact",
                asset=REPORT_KEY,
                description="The stored PDF reads back with the size and SHA-256 recorded in "
                "document_retention_log.",
            )
        ],
        freshness_policy=dg.FreshnessPolicy.cron(
            deadline_cron=deadline, lower_bound_delta=timedelta(hours=1), timezone="UTC"
        ),
        op_tags={"genims/target": "operations"},
        description=(
            "Daily compliance PDF of the audit database for one UTC day (one partition per "
            "day): audit volume per feed and table, hash-chain verifications and exported "
            "digests, backups and restore verifications, retention actions, legal holds, SLA "
            "compliance, security events, GDPR requests, failed asset checks and freshness "
            f"violations. Scheduled daily at {at:%H:%M} UTC for the previous day; stored in "
            "blob storage as <YYYY>/<MM>/compliance-<day>.pdf (a regeneration stores the next "
            "revision, .r2.pdf, never overwriting) and recorded in document_retention_log. See "
            "docs/compliance_report.md."
        ),
    )
    # `context` is left unannotated: with postponed annotations Dagster would see a string.
    def compliance_report(context):
        reader = getattr(context.resources, READER_RESOURCE)
        owner = getattr(context.resources, OWNER_RESOURCE)
        storage: ReportBlob = getattr(context.resources, BLOB_RESOURCE)
        day = date.fromisoformat(context.partition_key)
        blob = storage.store()
        data, rendered = render_report(reader, day, instance=context.instance)
        outcome = store_report(
            owner,
            blob,
            storage.container,
            data,
            rendered,
            retention_days=storage.retention_days,
            performed_by=f"compliance_report run {context.run.run_id}",
        )
        stored = blob.info(storage.container, outcome.name)
        intact = stored.size == outcome.size_bytes and stored.sha256 == outcome.sha256
        findings = data.findings()
        context.log.info(
            "compliance report of %s stored at %s (%d pages, %d findings)",
            day,
            outcome.location,
            outcome.pages,
            len(findings),
        )
        yield dg.MaterializeResult(
            metadata={
                "blob_location": dg.MetadataValue.text(outcome.location),
                "revision": dg.MetadataValue.int(outcome.revision),
                "size_bytes": dg.MetadataValue.int(outcome.size_bytes),
                "sha256": dg.MetadataValue.text(outcome.sha256),
                "pages": dg.MetadataValue.int(outcome.pages),
                "figures": dg.MetadataValue.json(outcome.figures),
                "findings": dg.MetadataValue.md(_markdown(outcome, findings)),
                "gather_seconds": dg.MetadataValue.float(round(outcome.gather_seconds, 3)),
                "render_seconds": dg.MetadataValue.float(round(outcome.render_seconds, 3)),
                "deletion_scheduled": dg.MetadataValue.text(outcome.deletion_scheduled.isoformat()),
            }
        )
        yield dg.AssetCheckResult(
            check_name="report_stored_intact",
            passed=intact,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                "stored PDF matches its recorded size and SHA-256"
                if intact
                else f"{outcome.location} reads back with size {stored.size} and SHA-256 "
                f"{stored.sha256}, not {outcome.size_bytes} / {outcome.sha256}"
            ),
        )

    return compliance_report


def _schedule(job, at: time) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=SCHEDULE,
        cron_schedule=f"{at.minute} {at.hour} * * *",
        execution_timezone="UTC",
        job=job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"The compliance report of the previous UTC day, every day at {at:%H:%M} "
        "UTC (COMPLIANCE_REPORT_TIME).",
    )
    def compliance_report_daily(context):
        scheduled = context.scheduled_execution_time or datetime.now(UTC)
        day = scheduled.astimezone(UTC).date() - timedelta(days=1)
        return dg.RunRequest(
            run_key=f"compliance-report-{day.isoformat()}", partition_key=day.isoformat()
        )

    return compliance_report_daily


def report_definitions() -> dg.Definitions:
    from genims_platform.lib.partitions import history_start

    settings = report_settings()
    partitions = dg.DailyPartitionsDefinition(start_date=history_start(), timezone="UTC")
    asset = report_asset(partitions, settings)
    job = dg.define_asset_job(
        JOB, selection=dg.AssetSelection.assets(REPORT_KEY), tags={"genims/target": "operations"}
    )
    return dg.Definitions(
        assets=[asset],
        jobs=[job],
        schedules=[_schedule(job, settings.daily_time)],
        resources=report_resources(),
    )


__all__ = [
    "REPORT_KEY",
    "ReportError",
    "ReportOutcome",
    "ReportSettings",
    "blob_name",
    "render_report",
    "report_definitions",
    "report_settings",
    "store_report",
]
