"""Helpers of the fault-injection and hostile-input tests: the platform's table assets built
exactly as `genims_platform.definitions` builds them, one run of a few of them, and what a run's
events say about failures and retries.

The assets come from the same declarations, builder and resource wiring as the code location, so
a test exercises the production code path without loading all 90 tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from datetime import date

import dagster as dg
import pandas as pd
from psycopg import sql

from genims_platform.analytics.tables import ANALYTICS_TABLES
from genims_platform.audit.definitions import AUDIT_TABLES
from genims_platform.lib import mysql, pg
from genims_platform.lib.builder import build_table_asset
from genims_platform.lib.environment import build_resources, physical_target_names
from genims_platform.lib.partitions import history_start, partitions_for
from genims_platform.lib.tables import TableSpec
from genims_platform.reporting.tables import REPORTING_TABLES
from genims_platform.settings import Settings

SPECS: dict[str, TableSpec] = {
    s.name: s for s in (*REPORTING_TABLES, *ANALYTICS_TABLES, *AUDIT_TABLES)
}


def table_asset(name: str) -> dg.AssetsDefinition:
    """The asset of one declared table, as the code location builds it."""
    spec = SPECS[name]
    return build_table_asset(
        spec,
        partitions_for(spec.partitioning, history_start()),
        physical_target_names()[spec.target],
    )


def run(
    names: Iterable[str],
    *,
    day: date | None = None,
    start: date | None = None,
    end: date | None = None,
    resources: Mapping[str, object] | None = None,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialise tables for one day (partition) or an inclusive range of days; never raises
    on a failed step, so a test can look at how it failed."""
    assets = [table_asset(name) for name in names]
    tags: dict[str, str] = {}
    partition_key = None
    if day is not None:
        partition_key = day.isoformat()
    elif start is not None and end is not None:
        tags = {
            "dagster/asset_partition_range_start": start.isoformat(),
            "dagster/asset_partition_range_end": end.isoformat(),
        }
    kwargs = {
        "resources": dict(resources) if resources is not None else build_resources(os.environ),
        "partition_key": partition_key,
        "tags": tags,
        "raise_on_error": False,
    }
    if instance is not None:
        return dg.materialize(assets, instance=instance, **kwargs)
    with dg.instance_for_test() as temporary:
        return dg.materialize(assets, instance=temporary, **kwargs)


def _error_text(error) -> str:
    parts = []
    while error is not None:
        parts.append(f"{error.cls_name}: {error.message}")
        error = error.cause or error.context
    return "\n".join(parts)


def failures(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """Step key -> the full text of its failure (message and every cause)."""
    out = {}
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            out[event.step_key] = _error_text(event.step_failure_data.error)
    return out


def retried(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    """Step key -> how many times it was put up for retry."""
    out: dict[str, int] = {}
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY:
            out[event.step_key] = out.get(event.step_key, 0) + 1
    return out


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    """Names of the tables the run materialised."""
    return {
        e.asset_key.path[-1]
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
    }


def all_event_text(result: dg.ExecuteInProcessResult) -> str:
    """Everything the run recorded (messages, metadata, errors), to look for leaked secrets."""
    return "\n".join(str(e) for e in result.all_events)


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def rows(
    settings: Settings, target: str, table: str, where: str = "1 = 1", params: tuple = ()
) -> pd.DataFrame:
    """Published rows of a target table, sorted by its grain, without updated_at."""
    spec = SPECS.get(table)
    with mysql.connect(settings.target(target)) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT * FROM {mysql.quote_ident(table)} WHERE {where}", params)
        names = [d[0] for d in cur.description]
        frame = pd.DataFrame.from_records(list(cur.fetchall()), columns=names)
    frame = frame.drop(columns=[c for c in ("updated_at",) if c in frame.columns])
    if spec is not None and not frame.empty:
        frame = frame.sort_values(list(spec.schema.grain)).reset_index(drop=True)
    return frame


def source_execute(settings: Settings, logical: str, statement, params=None) -> None:
    """Run one statement in a source database without firing capture triggers (test set-up)."""
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(statement, params)


def insert(settings: Settings, logical: str, table: str, records: list[Mapping]) -> None:
    """Insert hand-made rows (columns not given take their defaults), without capture."""
    if not records:
        return
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")
        for record in records:
            columns = list(record)
            conn.execute(
                sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                    sql.SQL(", ").join(sql.Placeholder() * len(columns)),
                ),
                [record[c] for c in columns],
            )


@contextmanager
def altered(settings: Settings, logical: str, change: str, undo: str):
    """A source table changed for the length of a test (a site whose source drifted from the
    contract, or lacks one of its constraints); `undo` always runs afterwards."""
    source_execute(settings, logical, change)
    try:
        yield
    finally:
        source_execute(settings, logical, undo)
