"""`genims report`: the compliance report of a day, on demand.

``genims report compliance --date 2026-03-14`` renders the report of that UTC day into a local
PDF (``compliance-<date>.pdf`` unless ``--output`` names another file); ``--upload`` also stores
it in blob storage as the day's next revision and records it in document_retention_log, exactly
as the scheduled asset does. Heavy imports happen inside the command.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def report() -> None:
    """Compliance reports of the audit database."""


@report.command("compliance")
@click.option(
    "--date",
    "day",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Report day (UTC), YYYY-MM-DD.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PDF file to write (default: compliance-<date>.pdf in the current directory).",
)
@click.option(
    "--upload",
    is_flag=True,
    help="Also store the report in blob storage (next revision of the day) and record it in "
    "document_retention_log.",
)
def compliance(day, output: Path | None, upload: bool) -> None:
    """Render the daily compliance report of one UTC day."""
    import os
    import tempfile

    from dotenv import load_dotenv

    from genims_platform.audit.ingest import audit_database
    from genims_platform.lib.blob import AzureBlobStore
    from genims_platform.operations.report import render_report, report_settings, store_report
    from genims_platform.settings import load_settings

    load_dotenv(override=False)
    settings = load_settings()
    options = report_settings()
    report_day = day.date()
    target = output or Path(f"compliance-{report_day.isoformat()}.pdf")
    reader = audit_database(settings, role="compliance")
    data, rendered = render_report(reader, report_day, instance=_instance())
    # Written next to the target and renamed: an interrupted run never leaves half a PDF.
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(rendered.pdf)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    click.echo(
        f"{target}: compliance report of {report_day.isoformat()} ({rendered.pages} pages, "
        f"{len(rendered.pdf):,} bytes; gathered in {data.gather_seconds:.2f} s, rendered in "
        f"{rendered.seconds:.2f} s)"
    )
    if not data.freshness.available:
        click.echo(f"note: freshness violations not reported: {data.freshness.note}")
    for finding in data.findings():
        click.echo(f"finding: {finding}")
    if upload:
        outcome = store_report(
            audit_database(settings, role=None),
            AzureBlobStore(settings.azure_connection_string),
            options.container,
            data,
            rendered,
            retention_days=options.retention_days,
            performed_by="genims report compliance",
        )
        click.echo(
            f"stored at {outcome.location} (revision {outcome.revision}, sha256 "
            f"{outcome.sha256}); recorded in document_retention_log, deletable from "
            f"{outcome.deletion_scheduled.isoformat()}"
        )


def _instance():
    """The Dagster instance of DAGSTER_HOME (for the freshness history), or None."""
    import os

    if not os.environ.get("DAGSTER_HOME"):
        return None
    import dagster as dg

    return dg.DagsterInstance.get()
