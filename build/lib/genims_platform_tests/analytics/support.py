"""Helpers for the warehouse tests: an analytics-only code location built exactly as
`genims_platform.definitions` builds it, source changes with a chosen change marker, and
resets that keep the unknown members the migrations created."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import dagster as dg
import pandas as pd
from psycopg import sql

from genims_platform.analytics.tables import ANALYTICS_TABLES
from genims_platform.lib import mysql, pg
from genims_platform.lib.automation import TARGET_POLICIES
from genims_platform.lib.builder import build_table_asset
from genims_platform.lib.dimensional import UNKNOWN_KEY
from genims_platform.lib.environment import build_resources, physical_target_names
from genims_platform.lib.keys import target_key
from genims_platform.lib.partitions import history_start, partitions_for
from genims_platform.reporting.tables import REPORTING_TABLES
from genims_platform.settings import Settings
from genims_platform_tests import harness

SPECS = {spec.name: spec for spec in ANALYTICS_TABLES}

_INSTANCE: list[dg.DagsterInstance] = []


def shared_instance() -> dg.DagsterInstance:
    """One in-memory Dagster instance for the warehouse tests: a fresh on-disk test instance
    per materialisation costs more than the materialisation itself."""
    if not _INSTANCE:
        _INSTANCE.append(dg.DagsterInstance.ephemeral())
    return _INSTANCE[0]


def definitions(reporting: Iterable[str] = ()) -> dg.Definitions:
    """The 25 analytics assets (plus the named reporting tables) with the analytics policy
    applied the way definitions.py applies it."""
    wanted = set(reporting)
    specs = [*ANALYTICS_TABLES, *(s for s in REPORTING_TABLES if s.name in wanted)]
    names = physical_target_names()
    start = history_start()
    assets = [
        build_table_asset(s, partitions_for(s.partitioning, start), names[s.target]) for s in specs
    ]
    defs = dg.Definitions(assets=assets, resources=build_resources({}))
    policy = next(p for p in TARGET_POLICIES if p.target == "analytics")
    return defs.map_resolved_asset_specs(
        func=policy.apply, selection=dg.AssetSelection.groups(policy.group)
    )


def reset(settings: Settings, tables: Iterable[str] | None = None) -> None:
    """Empty analytics tables; dimensions keep their unknown member (key 0)."""
    names = list(tables) if tables is not None else list(SPECS)
    with mysql.connect(settings.target("analytics"), autocommit=True) as conn:
        with conn.cursor() as cur:
            for name in names:
                keep = ""
                write = SPECS[name].write
                key = getattr(write, "surrogate_key", None)
                if key:
                    keep = f" WHERE {mysql.quote_ident(key)} <> {UNKNOWN_KEY}"
                cur.execute(f"DELETE FROM {mysql.quote_ident(name)}{keep}")


def change(
    settings: Settings,
    logical: str,
    table: str,
    where: Mapping[str, Any],
    values: Mapping[str, Any],
) -> None:
    """UPDATE source rows as a writer would, but with the change marker the test chooses (the
    contract's trigger would otherwise stamp the wall clock)."""
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            sql.SQL("UPDATE {} SET {} WHERE {}").format(
                sql.Identifier(table),
                sql.SQL(", ").join(
                    sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder()) for c in values
                ),
                sql.SQL(" AND ").join(
                    sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder()) for c in where
                ),
            ),
            [*values.values(), *where.values()],
        )


def delete(settings: Settings, logical: str, table: str, where: Mapping[str, Any]) -> None:
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE {}").format(
                sql.Identifier(table),
                sql.SQL(" AND ").join(
                    sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder()) for c in where
                ),
            ),
            list(where.values()),
        )


def run(
    defs: dg.Definitions,
    table: str,
    *,
    day: date | None = None,
    start: date | None = None,
    end: date | None = None,
    target: str = "analytics",
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialise one table (a dimension as a whole, a fact for a day or a range)."""
    partitioned = defs.get_assets_def(target_key(target, table)).partitions_def is not None
    return harness.materialize(
        defs,
        target,
        table,
        day=day if partitioned else None,
        start=start if partitioned else None,
        end=end if partitioned else None,
        instance=instance or shared_instance(),
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult, table: str, target: str = "analytics") -> dict:
    events = result.asset_materializations_for_node(f"{target}__{table}")
    assert events, f"{table} was not materialised"
    return {k: v.value for k, v in events[-1].metadata.items()}


def check(
    defs: dg.Definitions, table: str, name: str, *, target: str = "analytics"
) -> dg.AssetCheckEvaluation:
    """Execute one data test on its own, as from the UI, against what readers see now (the
    whole table: a check run without a partition covers every partition)."""
    key = target_key(target, table)
    asset = defs.get_assets_def(key)
    result = dg.materialize(
        [asset],
        instance=shared_instance(),
        resources=build_resources(),
        selection=dg.AssetSelection.checks(dg.AssetCheckKey(key, name)),
        raise_on_error=False,
    )
    evaluations = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    assert len(evaluations) == 1, [e.check_name for e in result.get_asset_check_evaluations()]
    return evaluations[0]


def rows(
    settings: Settings, table: str, order_by: str, where: str = "1 = 1", params=()
) -> pd.DataFrame:
    frame = harness.published(settings, "analytics", table, where, params)
    return frame.sort_values(order_by.split(", ")).reset_index(drop=True)


def records(frame: pd.DataFrame, columns: Iterable[str]) -> list[tuple]:
    """Selected columns as plain tuples (dates and ints as Python values)."""
    cols = list(columns)
    return [tuple(r) for r in frame[cols].astype(object).itertuples(index=False, name=None)]
