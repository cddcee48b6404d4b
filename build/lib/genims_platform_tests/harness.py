"""A small harness for table tests: hand-made source rows in, one materialisation, rows out.

Each test puts the few rows it needs into the (test-prefixed) source databases, materialises
one table for a day or a range with the real resources, and reads the published rows back from
MySQL; the expected values are computed independently in the test from the same hand-made rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import dagster as dg
import pandas as pd
from psycopg import sql

from genims_platform.lib import mysql, pg
from genims_platform.lib.environment import build_resources
from genims_platform.lib.keys import target_key
from genims_platform.settings import Settings


def defs() -> dg.Definitions:
    from genims_platform.definitions import defs as lazy_defs

    return lazy_defs()


def clear(settings: Settings, logical: str, tables: Iterable[str]) -> None:
    """Empty source tables (and whatever references them) without firing capture triggers."""
    names = list(tables)
    if not names:
        return
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            sql.SQL("TRUNCATE {} CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in names)
            )
        )


def put(settings: Settings, logical: str, table: str, rows: list[Mapping[str, Any]]) -> None:
    """Insert hand-made rows (columns not given take their defaults)."""
    if not rows:
        return
    with pg.connect(settings.pg_primary, settings.source_db(logical)) as conn:
        for row in rows:
            columns = list(row)
            conn.execute(
                sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                    sql.SQL(", ").join(sql.Placeholder() * len(columns)),
                ),
                [row[c] for c in columns],
            )


def materialize(
    definitions: dg.Definitions,
    target: str,
    table: str,
    *,
    day: date | None = None,
    start: date | None = None,
    end: date | None = None,
    instance: dg.DagsterInstance | None = None,
    raise_on_error: bool = True,
    environ: Mapping[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialise one table for `day` (partition key) or for the inclusive range start..end."""
    asset = definitions.get_assets_def(target_key(target, table))
    resources = build_resources(environ if environ is not None else os.environ)
    tags: dict[str, str] = {}
    partition_key = None
    if day is not None:
        partition_key = _key(asset, day)
    elif start is not None and end is not None:
        tags = {
            "dagster/asset_partition_range_start": _key(asset, start),
            "dagster/asset_partition_range_end": _key(asset, end),
        }
    run = lambda inst: dg.materialize(  # noqa: E731
        [asset],
        instance=inst,
        resources=resources,
        partition_key=partition_key,
        tags=tags,
        raise_on_error=raise_on_error,
    )
    if instance is not None:
        return run(instance)
    with dg.instance_for_test() as inst:
        return run(inst)


def _key(asset: dg.AssetsDefinition, day: date) -> str:
    partitions = asset.partitions_def
    if isinstance(partitions, dg.MonthlyPartitionsDefinition):
        return day.replace(day=1).isoformat()
    return day.isoformat()


def published(
    settings: Settings, target: str, table: str, where: str = "1 = 1", params=()
) -> pd.DataFrame:
    """Rows of a target table as a DataFrame, without the volatile updated_at column."""
    t = settings.target(target)
    with mysql.connect(t) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT * FROM {mysql.quote_ident(table)} WHERE {where}", params)
        names = [d[0] for d in cur.description]
        frame = pd.DataFrame.from_records(list(cur.fetchall()), columns=names)
    return frame.drop(columns=[c for c in ("updated_at",) if c in frame.columns])


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}
