"""`genims backup`: the database backups in blob storage, and restoring one.

``genims backup list --db audit`` lists the backups of a database (newest last) with their
size, tables, rows, keep-until day and latest restore verification.
``genims backup restore --db audit --at 2026-03-14 --into audit_2026_03_14`` restores the latest
backup taken on or before that UTC day into a database of that name on the same server, after
checking its SHA-256; it refuses the live databases' names and an existing non-empty database
unless ``--force`` (which drops it first). Heavy imports happen inside the commands.
"""

from __future__ import annotations

import time

import click

DATABASES = ("reporting", "analytics", "audit")


def _context():
    from dotenv import load_dotenv

    from genims_platform.lib.blob import AzureBlobStore
    from genims_platform.settings import load_settings

    load_dotenv(override=False)
    settings = load_settings()
    return settings, AzureBlobStore(settings.azure_connection_string)


def _verifications(settings, container: str, database: str) -> dict[str, str]:
    """Latest restore verification per backup location (empty when the audit database cannot
    be read)."""
    from genims_platform.audit.ingest import audit_database
    from genims_platform.lib.sqlfiles import load_sql
    from genims_platform.operations.backup_retention import like_prefix

    try:
        with audit_database(settings, role="compliance").connect() as conn:
            with conn.cursor() as cur:
                cur.execute(
                    load_sql("operations", "backup", "verifications.sql"),
                    {"prefix": like_prefix(f"{container}/{database}/")},
                )
                rows = cur.fetchall()
            conn.commit()
    except Exception:  # the listing does not depend on the audit database being reachable
        return {}
    return {document_id: action for document_id, action in rows}


@click.group()
def backup() -> None:
    """Backups of the MySQL databases in blob storage (BACKUP_AZURE_CONTAINER)."""


@backup.command("list")
@click.option("--db", "logical", required=True, type=click.Choice(DATABASES))
def list_command(logical: str) -> None:
    """List the backups of one database, oldest first."""
    from genims_platform.operations.backup_retention import RetentionPolicy, list_backups

    settings, store = _context()
    container = settings.backup.container
    database = settings.target(logical).database
    policy = RetentionPolicy.from_settings(settings.backup)
    found = list_backups(store, container, database)
    if not found:
        click.echo(f"no backups of {database} in container {container}")
        return
    verified = _verifications(settings, container, database)
    click.echo(
        f"{'taken at (UTC)':<20} {'size MB':>9} {'SQL MB':>9} {'tables':>6} {'rows':>12} "
        f"{'keep until':<10}  {'verification':<13} name"
    )
    for b in found:
        meta = b.dump.metadata if b.dump else {}
        size = f"{b.dump.size / 1e6:.1f}" if b.dump else "-"
        sql = f"{int(meta['sql_bytes']) / 1e6:.1f}" if meta.get("sql_bytes") else "-"
        state = verified.get(f"{container}/{b.name}", "not verified")
        if not b.complete:
            state = "INCOMPLETE"
        keep = policy.rule(logical, b.taken_at).keep_until(b.taken_at).isoformat()
        click.echo(
            f"{b.taken_at:%Y-%m-%d %H:%M:%S}  {size:>9} {sql:>9} {meta.get('tables', '-'):>6} "
            f"{meta.get('rows_total', '-'):>12} {keep:<10}  {state:<13} {b.name}"
        )


class _Progress:
    """Progress lines at most every two seconds, and at each stage change."""

    def __init__(self) -> None:
        self._stage = ""
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self._stage and now - self._last < 2.0 and done < total:
            return
        self._stage, self._last = stage, now
        label = {"download": "downloading", "load": "restoring", "verified": "verified"}[stage]
        if stage == "verified":
            click.echo(f"SHA-256 verified ({done / 1e6:.1f} MB); loading")
            return
        share = f" ({100 * done / total:.0f} %)" if total else ""
        click.echo(f"{label}: {done / 1e6:.1f} of {total / 1e6:.1f} MB compressed{share}")


@backup.command("restore")
@click.option("--db", "logical", required=True, type=click.Choice(DATABASES))
@click.option(
    "--at",
    "day",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="UTC day: the latest backup taken on or before its end is restored.",
)
@click.option("--into", required=True, help="Database to restore into (same server).")
@click.option(
    "--force", is_flag=True, help="Replace --into if it exists and is not empty (dropped first)."
)
def restore_command(logical: str, day, into: str, force: bool) -> None:
    """Restore a backup into a new database, after checking its SHA-256."""
    import pymysql

    from genims_platform.audit.ingest import audit_database
    from genims_platform.lib.errors import GenimsError
    from genims_platform.operations.backup_restore import read_creation_record, restore_backup

    settings, store = _context()
    target = settings.target(logical)
    live = [settings.target(t).database for t in DATABASES]

    def recorded(location: str):
        # Restoring must work when the audit database itself is what was lost: its creation
        # record is compared when it can be read.
        try:
            with audit_database(settings, role="compliance").connect() as conn:
                return read_creation_record(conn, location)
        except (GenimsError, pymysql.err.MySQLError) as error:
            click.secho(
                f"note: the creation record in the audit database was not compared ({error})",
                fg="yellow",
            )
            return None

    outcome = restore_backup(
        target,
        store,
        settings.backup.container,
        at=day.date(),
        into=into,
        live=live,
        force=force,
        recorded=recorded,
        progress=_Progress(),
    )
    load = outcome.load
    click.echo(
        f"restored {outcome.backup.name} (taken {outcome.backup.taken_at:%Y-%m-%d %H:%M:%S} UTC)"
        f" into {outcome.into}{' (replaced)' if outcome.replaced else ''}: {outcome.tables} "
        f"tables, {outcome.rows} rows, {load.sql_bytes / 1e6:.1f} MB of SQL in "
        f"{load.seconds:.1f} s ({load.sql_mb_per_s:.1f} MB/s)"
    )
    if outcome.differences:
        for table, how in outcome.differences.items():
            click.secho(f"differs from the backup's manifest: {table}: {how}", fg="yellow")
        raise SystemExit(2)
    click.echo("every table's row count and CHECKSUM TABLE match the backup's manifest")
