"""Data tests of the source tables themselves: rows no window of a target table would read.

Target tables read their sources window by window, by a date. A source row whose date is a
placeholder (1900-01-01 for "unknown", 9999-12-31 for "end of time") or otherwise outside
[1901-01-01, 2100-01-01) lands in no window: no data test of a target table could see it, and
it would be missing from every report without a word. `dates_plausible` looks for such rows in
the source itself.

One multi-check per source database, one check per table the platform reads that has date or
timestamp columns. It runs hourly (at :20, through the source observation sensor) over the rows
changed in the last `SOURCE_CHECK_LOOKBACK_HOURS` (default 48), found through the change
marker's index, plus the rows whose change marker itself is implausible; a table is never
scanned whole. Severity ERROR and not blocking: a source row cannot be held back, but the
check fails loudly and names the rows (primary key) and the columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import dagster as dg
from psycopg import sql as pgsql

from genims_platform.lib import checks
from genims_platform.lib.errors import DatabaseUnavailableError
from genims_platform.lib.keys import pg_resource_key, source_group, source_key
from genims_platform.lib.resources import PostgresSource
from genims_platform.sources.assets import change_marker, contract_columns

CHECK = "dates_plausible"
EARLIEST = "1901-01-01"
LATEST = "2100-01-01"
SAMPLE = 20
DATE_TYPES = ("date", "timestamptz", "timestamp")


def date_columns(logical: str, table: str) -> list[str]:
    return [name for name, kind in contract_columns(logical)[table] if kind in DATE_TYPES]


def lookback_hours(environ: Mapping[str, str] | None = None) -> int:
    from genims_platform.settings import load_settings

    return load_settings(environ).etl.source_check_lookback_hours


def implausible_query(logical: str, table: str) -> pgsql.Composed:
    """Rows changed since %(since)s (or with an implausible change marker) with a date outside
    [EARLIEST, LATEST): their key, the dates, and how many such rows there are."""
    columns = date_columns(logical, table)
    key = contract_columns(logical)[table][0][0]
    marker = pgsql.Identifier(change_marker(logical, table))

    def outside(column: pgsql.Composable) -> pgsql.Composed:
        return pgsql.SQL("({c} < {lo} OR {c} >= {hi})").format(
            c=column, lo=pgsql.Literal(EARLIEST), hi=pgsql.Literal(LATEST)
        )

    return pgsql.SQL(
        "SELECT {key}, {columns}, count(*) OVER () AS implausible FROM public.{table} "
        "WHERE ({marker} >= %(since)s OR {marker_outside}) AND ({any_outside}) "
        "ORDER BY {key} LIMIT {sample}"
    ).format(
        key=pgsql.Identifier(key),
        # As text: PostgreSQL holds dates Python cannot (year 10000 and later, BC, infinity).
        columns=pgsql.SQL(", ").join(
            pgsql.SQL("{c}::text AS {c}").format(c=pgsql.Identifier(c)) for c in columns
        ),
        table=pgsql.Identifier(table),
        marker=marker,
        marker_outside=outside(marker),
        any_outside=pgsql.SQL(" OR ").join(outside(pgsql.Identifier(c)) for c in columns),
        sample=pgsql.Literal(SAMPLE),
    )


def _plausible(text: str) -> bool:
    """A date or timestamp as PostgreSQL prints it, inside [EARLIEST, LATEST)."""
    day = text[:10]
    return len(day) == 10 and day[4] == "-" and not text.endswith("BC") and EARLIEST <= day < LATEST


def check_table(conn, logical: str, table: str, since: datetime) -> checks.CheckOutcome:
    columns = date_columns(logical, table)
    with conn.cursor() as cur:
        cur.execute(implausible_query(logical, table), {"since": since})
        rows = cur.fetchall()
        names = [d.name for d in cur.description]
    failed = int(rows[0][-1]) if rows else 0
    key = names[0]
    offending = []
    for row in checks.as_dicts([r[:-1] for r in rows], names[:-1]):
        bad = [c for c in columns if row[c] is not None and not _plausible(row[c])]
        offending.append({key: row[key], "columns": ", ".join(bad), **{c: row[c] for c in bad}})
    description = (
        f"{failed} row(s) changed since {since:%Y-%m-%d %H:%M} UTC have a date outside "
        f"[{EARLIEST}, {LATEST}): no window of a target table will read them"
        if failed
        else f"all dates of rows changed since {since:%Y-%m-%d %H:%M} UTC are plausible"
    )
    return checks.outcome(CHECK, failed, offending, description)


def _checks(logical: str, tables: list[str]) -> dg.AssetChecksDefinition:
    resource = pg_resource_key(logical)
    specs = [
        dg.AssetCheckSpec(
            CHECK,
            asset=source_key(logical, table),
            description=f"No row changed lately has a date outside [{EARLIEST}, {LATEST}) "
            f"(columns: {', '.join(date_columns(logical, table))}).",
            automation_condition=dg.AutomationCondition.cron_tick_passed("20 * * * *")
            & ~dg.AutomationCondition.in_progress(),
        )
        for table in tables
    ]

    @dg.multi_asset_check(
        name=f"check_{source_group(logical)}",
        specs=specs,
        required_resource_keys={resource},
        can_subset=True,
        description=f"Plausible dates in the recently changed rows of {logical}.",
    )
    def _check(context):
        pg: PostgresSource = getattr(context.resources, resource)
        since = datetime.now(UTC) - timedelta(hours=lookback_hours())
        selected = {key.asset_key for key in context.selected_asset_check_keys}
        try:
            with pg.connect() as conn:
                for table in tables:
                    key = source_key(logical, table)
                    if key in selected:
                        yield check_table(conn, logical, table, since).result(key)
                conn.rollback()
        except DatabaseUnavailableError as error:
            raise dg.Failure(description=str(error)) from None

    return _check


def build_source_checks(reads: dict[str, set[str]]) -> list[dg.AssetChecksDefinition]:
    """The checks of every source table the platform reads that has date columns."""
    out = []
    for logical in sorted(reads):
        tables = sorted(t for t in reads[logical] if date_columns(logical, t))
        if tables:
            out.append(_checks(logical, tables))
    return out
