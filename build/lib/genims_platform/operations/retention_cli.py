"""`genims retention` and `genims legal-hold`: retention runs and legal holds on demand.

``genims retention run [--dry-run] [--only reporting|audit] [--table NAME ...]`` does what the
daily `data_retention_schedule` asset does (the audit part as the retention account when its
password is set); ``--dry-run`` prints what would be deleted and which holds would keep rows,
records DRY_RUN rows and changes nothing else.

``genims legal-hold place|release|list`` manage legal holds as the audit database's owner account
(MYSQL_AUDIT_USER). Heavy imports happen inside the commands.
"""

from __future__ import annotations

import click


def _settings():
    from dotenv import load_dotenv

    from genims_platform.settings import load_settings

    load_dotenv(override=False)
    return load_settings()


def reporting_database(settings):
    from genims_platform.lib.resources import MySQLDatabase

    target = settings.target("reporting")
    return MySQLDatabase(
        logical="reporting",
        database=target.database,
        host=target.host,
        port=target.port,
        user=target.user,
        password=target.password,
        charset=target.charset,
        timeout=target.timeout,
        ssl_ca=target.ssl_ca or "",
    )


@click.group()
def retention() -> None:
    """Retention of the reporting and audit databases."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Report what would be deleted; change nothing.")
@click.option(
    "--only",
    type=click.Choice(["reporting", "audit"]),
    default=None,
    help="Only one database (default: both).",
)
@click.option("--table", "tables", multiple=True, help="Only this table (repeatable).")
def run(dry_run: bool, only: str | None, tables: tuple[str, ...]) -> None:
    """Delete reporting partitions past REPORTING_RETENTION_MONTHS; archive, then purge, audit
    rows past their retention period, except rows under a legal hold."""
    import uuid

    from genims_platform.audit.ingest import audit_database
    from genims_platform.lib.blob import AzureBlobStore
    from genims_platform.operations.retention import TARGETS, RetentionRequest, run_retention

    settings = _settings()
    targets = (only,) if only else TARGETS
    report = run_retention(
        audit_database(settings, role="retention"),
        reporting_database(settings) if "reporting" in targets else None,
        AzureBlobStore(settings.azure_connection_string),
        chunk_rows=settings.retention.chunk_rows,
        reporting_months=settings.retention.reporting_months,
        archive_container=settings.retention.archive_container,
        backup_container=settings.backup.container,
        request=RetentionRequest(dry_run=dry_run, targets=targets, tables=tables),
        run_id=f"cli-{uuid.uuid4().hex[:12]}",
        performed_by="genims retention run",
        log=click.echo,
    )
    click.echo(("dry run (nothing changed): " if dry_run else "") + f"run {report.run_id}")
    for line in report.lines():
        click.echo(line)
    if report.failed or report.problems:
        raise click.ClickException(
            f"{len(report.failed)} retention action(s) failed, {len(report.problems)} problem(s)"
        )


@click.group("legal-hold")
def legal_hold() -> None:
    """Legal holds on the audit database: held rows are never purged."""


def _owner(settings):
    from genims_platform.audit.ingest import audit_database

    return audit_database(settings, role=None)


def _options(settings):
    from genims_platform.operations.retention import RetentionOptions

    return RetentionOptions(
        connection_string=settings.azure_connection_string,
        archive_container=settings.retention.archive_container,
        backup_container=settings.backup.container,
        reporting_months=settings.retention.reporting_months,
        chunk_rows=settings.retention.chunk_rows,
    )


def _operator(operator: str | None) -> str:
    import getpass

    who = operator or getpass.getuser()
    return f"{who} (genims legal-hold)"


@legal_hold.command("place")
@click.option("--matter", "matter", required=True, help="Legal matter id.")
@click.option("--case", "case_name", required=True, help="Case name.")
@click.option("--reason", required=True, help="Why the data must be preserved.")
@click.option("--table", "tables", multiple=True, help="Audit table (repeatable; none: all).")
@click.option("--stream", "streams", multiple=True, help="Stream <table>/<part> (repeatable).")
@click.option("--from", "covers_from", default="", help="First creation time held (UTC).")
@click.option(
    "--to", "covers_to", default="", help="Last creation time held (UTC; a date: all day)."
)
@click.option(
    "--expires", default="", help="Review date YYYY-MM-DD (the hold stays until released)."
)
@click.option("--operator", default=None, help="Who asks (default: the OS user).")
def place(matter, case_name, reason, tables, streams, covers_from, covers_to, expires, operator):
    """Place a legal hold: covered audit rows are never purged until it is released."""
    from genims_platform.operations.retention import LegalHoldConfig, apply_legal_hold

    settings = _settings()
    config = LegalHoldConfig(
        action="place",
        legal_matter_id=matter,
        case_name=case_name,
        tables=list(tables),
        streams=list(streams),
        covers_from=covers_from,
        covers_to=covers_to,
        reason=reason,
        expires_on=expires,
    )
    options = _options(settings)
    holds, synced = apply_legal_hold(
        _owner(settings), options.store(), options, config, _operator(operator)
    )
    for hold in holds:
        click.echo(f"placed {hold.describe()}")
    _echo_blobs(synced)


@legal_hold.command("release")
@click.argument("hold_ids", nargs=-1, type=int)
@click.option("--matter", default=None, help="Release every active hold of this matter.")
@click.option("--reason", required=True, help="Why the hold ends.")
@click.option("--operator", default=None, help="Who asks (default: the OS user).")
def release(hold_ids, matter, reason, operator):
    """Release legal holds by id (or all holds of --matter)."""
    from genims_platform.operations.retention import LegalHoldConfig, apply_legal_hold

    settings = _settings()
    config = LegalHoldConfig(
        action="release", hold_ids=list(hold_ids), legal_matter_id=matter or "", reason=reason
    )
    options = _options(settings)
    holds, synced = apply_legal_hold(
        _owner(settings), options.store(), options, config, _operator(operator)
    )
    for hold in holds:
        click.echo(f"released {hold.describe()}")
    _echo_blobs(synced)


def _echo_blobs(synced) -> None:
    for location in synced.held:
        click.echo(f"blob held: {location}")
    for location in synced.released:
        click.echo(f"blob released: {location}")
    for location in synced.not_enforced:
        click.echo(f"blob hold recorded, not enforced by this store: {location}")
    for problem in synced.errors:
        click.echo(f"warning: {problem}", err=True)


@legal_hold.command("list")
@click.option("--all", "include_released", is_flag=True, help="Include released holds.")
@click.option("--streams", "show_streams", is_flag=True, help="List the audit streams instead.")
def list_command(include_released: bool, show_streams: bool) -> None:
    """Active legal holds (or every hold, or the streams a hold can name)."""
    from genims_platform.operations.legal_holds import list_holds
    from genims_platform.operations.retention import dedicated_connection

    settings = _settings()
    with dedicated_connection(_owner(settings)) as conn:
        if show_streams:
            with conn.cursor() as cur:
                cur.execute("SELECT stream_id, last_seq FROM audit_chain_head ORDER BY stream_id")
                for stream_id, last_seq in cur.fetchall():
                    click.echo(f"{stream_id}  ({last_seq} rows appended)")
            return
        views = list_holds(conn, include_released=include_released)
    if not views:
        click.echo("no legal holds" if include_released else "no active legal holds")
    for view in views:
        hold = view.hold
        state = f"released {hold.released_at:%Y-%m-%d %H:%M}" if hold.released_at else "active"
        click.echo(
            f"{hold.describe()}; case {view.case_name or '?'}; {state}; placed by "
            f"{hold.placed_by} at {hold.placed_at:%Y-%m-%d %H:%M} UTC"
            + (
                f"; {view.rows_covered_at_placement} rows covered when placed"
                if view.rows_covered_at_placement is not None
                else ""
            )
        )
