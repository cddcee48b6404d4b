"""The one mechanism behind every target table: declarations in, Dagster assets out.

Each `TableSpec` becomes a single-asset `multi_asset` whose checks can also run on their own. A
materialisation extracts the window from the source databases in chunks (aggregation happens in
PostgreSQL; only aggregated frames cross databases), stages the rows in MySQL, runs the declared
data tests on the staged rows, and publishes the window atomically only if no blocking test
failed. A ranged backfill is one run over the whole range (`BackfillPolicy.single_run`). A
lost or refused database connection is retried as DATA_SYNC_RETRY_COUNT/DELAY say
(`genims_platform.lib.retry`); any other failure fails the step at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import dagster as dg
import pandas as pd
import psycopg

from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib import checks, retry
from genims_platform.lib.errors import DataValidationError, first_line
from genims_platform.lib.keys import (
    mysql_resource_key,
    pg_resource_key,
    source_key,
    source_pool,
    target_group,
    target_key,
)
from genims_platform.lib.loader import StagedLoad
from genims_platform.lib.mysql import quote_ident
from genims_platform.lib.resources import MySQLDatabase, PostgresSource
from genims_platform.lib.sqlfiles import load_sql
from genims_platform.lib.tables import TableSpec, Window


def column_schema(spec: TableSpec) -> dg.TableSchema:
    grain = set(spec.schema.grain)
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.sql_type,
                description=c.description or None,
                constraints=dg.TableColumnConstraints(nullable=c.nullable),
            )
            for c in spec.schema.columns
        ],
        constraints=dg.TableConstraints(
            other=[f"grain: ({', '.join(sorted(grain, key=spec.schema.column_names.index))})"]
        ),
    )


def asset_spec(
    spec: TableSpec, partitions_def: dg.PartitionsDefinition | None, physical_database: str
) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=target_key(spec.target, spec.name),
        deps=[_dependency(database, table) for database, table in spec.reads]
        + [dg.AssetKey(list(k)) for k in spec.extra_deps],
        description=spec.description,
        group_name=target_group(spec.target),
        kinds={"mysql"},
        owners=list(spec.owners),
        tags={"genims/category": spec.category} if spec.category else {},
        partitions_def=partitions_def,
        skippable=True,
        metadata={
            "dagster/table_name": f"{physical_database}.{spec.name}",
            "dagster/column_schema": column_schema(spec),
            "grain": dg.MetadataValue.text(", ".join(spec.schema.grain)),
            "partitioning": dg.MetadataValue.text(spec.partitioning or "none"),
            "sources": dg.MetadataValue.text(", ".join(f"{s}.{t}" for s, t in spec.reads)),
        },
    )


def _dependency(database: str, table: str) -> dg.AssetKey:
    return (
        source_key(database, table) if database in SOURCE_DATABASES else target_key(database, table)
    )


def resource_key(logical: str) -> str:
    """Resource of a logical database: PostgreSQL for sources, MySQL for targets."""
    return pg_resource_key(logical) if logical in SOURCE_DATABASES else mysql_resource_key(logical)


def window_of(
    context: dg.AssetExecutionContext,
    spec: TableSpec,
    partitions: dg.TimeWindowPartitionsDefinition | None = None,
) -> Window | None:
    if spec.partitioning is None:
        return None
    if partitions is not None and not (
        context.has_partition_key or context.has_partition_key_range
    ):
        # Checks executed on their own without choosing a partition (the run then carries
        # none): test every partition, i.e. the table's whole history.
        first = partitions.get_first_partition_window()
        last = partitions.get_last_partition_window()
        return Window(first.start.date(), last.end.date())
    tw = context.partition_time_window
    return Window(tw.start.date(), tw.end.date())


def _floats(frame: pd.DataFrame) -> pd.DataFrame:
    """PostgreSQL numerics arrive as Decimal objects; KPI arithmetic works on floats (the
    loader rounds every value to its column's scale again)."""
    for name in frame.columns:
        series = frame[name]
        if series.dtype == object:
            sample = series.dropna()
            if not sample.empty and isinstance(sample.iloc[0], Decimal):
                frame[name] = pd.to_numeric(series, errors="coerce").astype("float64")
    return frame


def extract(
    spec: TableSpec,
    window: Window | None,
    database_of,
    lookups: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    """Run the table's extracts for one window and join them (already aggregated) in Python."""
    frame: pd.DataFrame | None = None
    params = window.params if window else {}
    for ex in spec.extracts:
        text = load_sql(spec.target, ex.sql)
        try:
            if ex.windowed:
                part = database_of(ex.source).query_df(text, params)
            else:
                if ex.sql not in lookups:
                    lookups[ex.sql] = database_of(ex.source).query_df(text)
                part = lookups[ex.sql]
        except (psycopg.errors.UndefinedColumn, psycopg.errors.UndefinedTable) as error:
            # The source no longer has what the contract promised (a dropped or renamed
            # column or table): name the table, the database and the query, not just the
            # driver's line.
            raise DataValidationError(
                f"{spec.name}: source {ex.source!r} ({database_of(ex.source).database}) does "
                f"not match the source contract: {first_line(error)} (in "
                f"sql/{spec.target}/{ex.sql}, reading {', '.join(ex.reads)})"
            ) from None
        part = _floats(part)
        if frame is None:
            frame = part
        else:
            missing = [k for k in ex.on if k not in part.columns or k not in frame.columns]
            if missing:
                raise DataValidationError(
                    f"{spec.name}: join keys {missing} missing from {ex.sql} or the rows so far"
                )
            frame = frame.merge(part, on=list(ex.on), how=ex.how)
    assert frame is not None
    if spec.derive is not None and not frame.empty:
        frame = spec.derive(frame, window)
    return frame


def stage_pipelined(
    load: StagedLoad,
    chunks: list,
    produce: Callable[[object], pd.DataFrame],
    log: Callable[[str], None] | None = None,
) -> int:
    """Stage the frames `produce` returns for each chunk. The next chunk is extracted,
    converted and written to its load file in a background thread while MySQL loads the
    current one, so PostgreSQL, MySQL and Python work at the same time instead of in turn.
    Returns the rows staged."""
    total = 0

    def prepared(chunk):
        return load.prepare(produce(chunk))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract") as pool:
        pending = pool.submit(prepared, chunks[0]) if chunks else None
        for number, chunk in enumerate(chunks, start=1):
            rows = pending.result()
            pending = pool.submit(prepared, chunks[number]) if number < len(chunks) else None
            staged = load.stage(rows)
            total += staged
            if log is not None:
                log(f"{load.schema.name}: chunk {number}/{len(chunks)} {chunk}: {staged} rows")
    return total


def _materialize(
    context: dg.AssetExecutionContext,
    spec: TableSpec,
    key: dg.AssetKey,
    partitions: dg.TimeWindowPartitionsDefinition | None = None,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    window = window_of(context, spec, partitions)
    db: MySQLDatabase = getattr(context.resources, mysql_resource_key(spec.target))

    def database_of(logical: str) -> PostgresSource | MySQLDatabase:
        return getattr(context.resources, resource_key(logical))

    def source_total(logical: str, sql_text: str):
        return database_of(logical).scalar(sql_text, window.params if window else {})

    selected = {k.name for k in context.selected_asset_check_keys}

    if key not in context.selected_asset_keys:
        # Checks executed on their own: test what readers see now.
        predicate, params = "1 = 1", ()
        if window is not None:
            column = quote_ident(spec.date_column)
            predicate, params = f"{column} >= %s AND {column} < %s", (window.start, window.end)

        def query(sql_text: str, p: tuple):
            with db.connect() as conn, conn.cursor() as cur:
                cur.execute(sql_text, p)
                return list(cur.fetchall()), [d[0] for d in cur.description]

        rel = checks.Relation(spec.name, predicate, params, query)
        for outcome in checks.run_all(spec, rel, source_total, selected):
            yield outcome.result(key)
        return

    started = time.perf_counter()
    lookups: dict[str, pd.DataFrame] = {}
    with StagedLoad(
        db,
        spec.schema,
        date_column=spec.date_column,
        window=window,
        log=context.log.info,
        computed=getattr(spec.write, "computed_columns", ()),
    ) as load:
        if window is None:
            chunks = [None]
        elif spec.partitioning == "monthly":
            chunks = window.months()
        else:
            chunks = window.chunks(spec.chunk_days)
        stage_pipelined(
            load,
            chunks,
            lambda chunk: extract(spec, chunk, database_of, lookups),
            log=context.log.info if len(chunks) > 1 else None,
        )
        prepared = spec.write.prepare(load, spec, window)
        extracted_at = time.perf_counter()
        rel = checks.Relation(load.staging, "1 = 1", (), load.query)
        outcomes = checks.run_all(spec, rel, source_total, selected)
        blocking = [
            o for o in outcomes if not o.passed and o.severity == dg.AssetCheckSeverity.ERROR
        ]
        if blocking:
            kept = checks.quarantine(db.query, spec, window, context.run.run_id, blocking)
            for outcome in outcomes:
                yield outcome.result(key)
            names = ", ".join(o.name for o in blocking)
            raise dg.Failure(
                description=(
                    f"{spec.name} {window or ''}: blocking data test(s) failed ({names}); the "
                    f"window was not published and readers keep the previous data. {kept} "
                    "offending row(s) were kept in etl_quarantine."
                ),
                metadata={o.name: o.description for o in blocking},
            )
        written = spec.write.publish(load, spec, window, datetime.now(UTC))
        stats = load.stats
    elapsed = time.perf_counter() - started
    yield dg.MaterializeResult(
        asset_key=key,
        metadata={
            "dagster/row_count": dg.MetadataValue.int(int(written.get("rows_published", 0))),
            "window": dg.MetadataValue.text(str(window) if window else "whole table"),
            "write_mode": dg.MetadataValue.text(spec.write.name),
            **{k: v for k, v in {**prepared, **written}.items() if k != "rows_published"},
            "load_method": dg.MetadataValue.text(stats.method or "none (no rows)"),
            "extract_and_stage_seconds": dg.MetadataValue.float(round(extracted_at - started, 3)),
            "publish_seconds": dg.MetadataValue.float(round(stats.publish_seconds, 3)),
            "duration_seconds": dg.MetadataValue.float(round(elapsed, 3)),
        },
        check_results=[o.result(key) for o in outcomes],
    )


def build_table_asset(
    spec: TableSpec,
    partitions_def: dg.PartitionsDefinition | None,
    physical_database: str,
) -> dg.AssetsDefinition:
    """The asset (and its data tests) for one declared table."""
    key = target_key(spec.target, spec.name)
    resource_keys = {resource_key(d) for d in spec.databases}
    resource_keys.add(mysql_resource_key(spec.target))

    @dg.multi_asset(
        name=f"{spec.target}__{spec.name}",
        specs=[asset_spec(spec, partitions_def, physical_database)],
        check_specs=checks.check_specs(spec, key),
        can_subset=True,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run() if partitions_def else None,
        required_resource_keys=resource_keys,
        pool=source_pool(spec.sources[0]) if spec.sources else None,
        op_tags={"genims/target": spec.target},
    )
    def _table_asset(context):
        try:
            yield from _materialize(context, spec, key, partitions_def)
        except Exception as error:
            if not retry.is_transient(error):
                raise
            failure = retry.transient_failure(
                spec.name,
                window_of(context, spec, partitions_def),
                error,
                _secrets(context, resource_keys),
            )
            request = retry.retry_request(context, failure)
            if request is None:
                raise failure from None
            raise request from failure

    return _table_asset


def _secrets(context: dg.AssetExecutionContext, resource_keys: set[str]) -> list[str]:
    """Passwords of the resources a table uses, kept out of error messages."""
    found = []
    for name in resource_keys:
        resource = getattr(context.resources, name, None)
        for attr in ("password", "replica_password"):
            value = getattr(resource, attr, None)
            if isinstance(value, str) and value:
                found.append(value)
    return found
