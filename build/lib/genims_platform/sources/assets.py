"""Observable source assets: every source table the platform reads, keyed [database, table].

One observation per source database reads, for each of its tables, the maximum of the table's
change marker (an index-only lookup) and PostgreSQL's insert/update/delete counters. Together
they form the data version, so downstream automation reacts to real change only: a new, updated
or deleted row changes it; re-observing an idle table does not. Observing never scans a table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import dagster as dg
from psycopg import sql as pgsql

from genims_platform.catalog import SOURCE_MODULES
from genims_platform.lib.errors import DatabaseUnavailableError
from genims_platform.lib.keys import pg_resource_key, source_group, source_key
from genims_platform.lib.resources import PostgresSource
from genims_platform.lib.sqlfiles import load_sql

# Insert-only tables carry their business timestamp as the change marker; all others updated_at.
CHANGE_MARKERS: dict[tuple[str, str], str] = {
    ("master", "user_login_events"): "event_ts",
    ("operations", "sensor_readings"): "reading_ts",
    ("manufacturing", "labor_transactions"): "created_at",
    ("manufacturing", "material_consumption"): "created_at",
    ("maintenance", "maintenance_history"): "event_ts",
    ("quality", "defects"): "detected_at",
    ("erp", "goods_receipts"): "received_at",
    ("financial", "journal_entry_lines"): "created_at",
    ("wms", "inventory_transactions"): "created_at",
    ("tms", "tracking_events"): "event_ts",
    ("tms", "deliveries"): "delivered_at",
    ("supplier", "portal_access_log"): "accessed_at",
}

_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", re.DOTALL)
_COLUMN = re.compile(r"^\s+([a-z_][a-z0-9_]*)\s+([a-z][a-z0-9 ]*?(?:\(\d+(?:,\d+)?\))?)(?:\s|,|$)")
_NOT_COLUMNS = {"primary", "unique", "check", "constraint", "foreign"}


def change_marker(logical: str, table: str) -> str:
    return CHANGE_MARKERS.get((logical, table), "updated_at")


@cache
def contract_columns(logical: str) -> dict[str, list[tuple[str, str]]]:
    """Column names and types of each contract table, from `sql/source/<logical>.sql`."""
    tables: dict[str, list[tuple[str, str]]] = {}
    text = load_sql("source", "_common.sql") + "\n" + load_sql("source", f"{logical}.sql")
    for match in _CREATE.finditer(text):
        columns = []
        for line in match.group(2).splitlines():
            col = _COLUMN.match(line)
            if col and col.group(1) not in _NOT_COLUMNS:
                columns.append((col.group(1), col.group(2).strip()))
        tables[match.group(1)] = columns
    return tables


def source_spec(logical: str, table: str, physical_database: str) -> dg.AssetSpec:
    columns = contract_columns(logical).get(table)
    if columns is None:
        raise ValueError(f"{table!r} is not a table of the {logical} source contract")
    marker = change_marker(logical, table)
    return dg.AssetSpec(
        key=source_key(logical, table),
        description=f"{SOURCE_MODULES[logical]}. Change marker: `{marker}`.",
        group_name=source_group(logical),
        kinds={"postgres"},
        owners=["team:data-platform"],
        metadata={
            "dagster/table_name": f"{physical_database}.public.{table}",
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(name, col_type) for name, col_type in columns]
            ),
            "change_marker": marker,
        },
    )


OBSERVE_COUNTERS = """
SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup
FROM pg_stat_user_tables
WHERE schemaname = 'public' AND relname = ANY(%(tables)s)
"""


def observe_database(
    pg: PostgresSource, logical: str, tables: Iterable[str]
) -> dict[str, tuple[str, dict]]:
    """Data version and metadata per table of one source database, in one round trip."""
    tables = sorted(tables)
    parts = [
        pgsql.SQL(
            "SELECT {name} AS relname, (SELECT max({marker}) FROM public.{table}) AS marker"
        ).format(
            name=pgsql.Literal(t),
            marker=pgsql.Identifier(change_marker(logical, t)),
            table=pgsql.Identifier(t),
        )
        for t in tables
    ]
    markers_sql = pgsql.SQL(" UNION ALL ").join(parts)
    with pg.connect() as conn, conn.cursor() as cur:
        cur.execute(markers_sql)
        markers = dict(cur.fetchall())
        cur.execute(OBSERVE_COUNTERS, {"tables": tables})
        counters = {row[0]: row[1:] for row in cur.fetchall()}
        conn.rollback()
    out: dict[str, tuple[str, dict]] = {}
    for table in tables:
        marker = markers.get(table)
        ins, upd, dele, live = counters.get(table, (0, 0, 0, 0))
        version = f"{marker.isoformat() if marker else 'empty'}|i{ins}|u{upd}|d{dele}"
        metadata = {
            "change_marker_max": dg.MetadataValue.text(marker.isoformat() if marker else "none"),
            "estimated_rows": dg.MetadataValue.int(int(live or 0)),
        }
        if marker is not None:
            metadata["dagster/last_updated_timestamp"] = dg.MetadataValue.timestamp(marker)
        out[table] = (version, metadata)
    return out


def build_source_observations(
    reads: dict[str, set[str]],
    physical_names: dict[str, str],
    automation_condition: dg.AutomationCondition | None,
) -> list[dg.AssetsDefinition]:
    """One observable multi-asset per source database over the tables the platform reads."""
    definitions = []
    for logical in sorted(reads):
        tables = sorted(reads[logical])
        specs = [
            source_spec(logical, t, physical_names[logical]).replace_attributes(
                automation_condition=automation_condition
            )
            for t in tables
        ]
        definitions.append(_observation(logical, tables, specs))
    return definitions


def _observation(logical: str, tables: list[str], specs: list[dg.AssetSpec]):
    resource = pg_resource_key(logical)

    @dg.multi_observable_source_asset(
        name=f"observe_{source_group(logical)}",
        specs=specs,
        required_resource_keys={resource},
        group_name=source_group(logical),
        description=f"Observe the change markers of {len(tables)} tables in {logical}.",
    )
    def _observe(context):
        pg: PostgresSource = getattr(context.resources, resource)
        try:
            observed = observe_database(pg, logical, tables)
        except DatabaseUnavailableError as error:
            raise dg.Failure(description=str(error)) from None
        for table, (version, metadata) in observed.items():
            yield dg.ObserveResult(
                asset_key=source_key(logical, table),
                data_version=dg.DataVersion(version),
                metadata=metadata,
            )

    return _observe
