"""Bulk load path into MySQL, against two baselines measured in the same run.

* physical limit: `COPY (SELECT ...) TO STDOUT` out of PostgreSQL into a file, then
  `LOAD DATA LOCAL INFILE` of that file straight into the target table: no conversion, no
  staging, no tests — what the hardware and the two servers can do;
* naive pipeline: `pandas.read_sql` then `DataFrame.to_sql(chunksize=1000, method="multi")`;
* the platform: the window in 7-day chunks, each `PostgresSource.query_df` (COPY into Arrow)
  extracted while the previous one loads → `StagedLoad` (Arrow conversion, LOAD DATA into the
  staging table, data tests could run here) → atomic publish of the window.

Each path moves the same rows of a generated PostgreSQL table into an empty MySQL table.
Run: `.venv/bin/python -m benchmarks.bulk_load --rows 500000`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy

from genims_platform.lib import mysql, pg
from genims_platform.lib.builder import stage_pipelined
from genims_platform.lib.loader import StagedLoad
from genims_platform.lib.resources import MySQLDatabase, PostgresSource
from genims_platform.lib.schema import Column, TableSchema
from genims_platform.lib.window import Window
from genims_platform.settings import Settings, load_settings

SOURCE_DB = "genims_bench_source"
TARGET_DB = "genims_bench_target"

SOURCE_TABLE = """
CREATE TABLE bench_rows AS
SELECT i AS id,
       date '2025-01-01' + (i %% 28)::int AS day,
       (i * 7919) %% 5000 AS item_id,
       round((random() * 1000)::numeric, 3) AS quantity,
       round((random() * 100000)::numeric, 2) AS amount,
       timestamptz '2025-01-01' + (i || ' seconds')::interval AS event_ts,
       'item ' || (i %% 997) || ', "batch" ' || (i %% 13) AS label
FROM generate_series(1::bigint, %(rows)s) AS i
"""

TARGET_TABLE = """
CREATE TABLE {name} (
    id BIGINT NOT NULL, day DATE NOT NULL, item_id BIGINT NOT NULL,
    quantity DECIMAL(14,3) NULL, amount DECIMAL(16,2) NULL, event_ts DATETIME(6) NULL,
    label VARCHAR(100) NULL, updated_at DATETIME(6) NULL,
    PRIMARY KEY (day, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
"""

SCHEMA = TableSchema(
    database="bench",
    name="bench_platform",
    columns=(
        Column("id", "BIGINT", False, ""),
        Column("day", "DATE", False, ""),
        Column("item_id", "BIGINT", False, ""),
        Column("quantity", "DECIMAL(14,3)", True, ""),
        Column("amount", "DECIMAL(16,2)", True, ""),
        Column("event_ts", "DATETIME(6)", True, ""),
        Column("label", "VARCHAR(100)", True, ""),
        Column("updated_at", "DATETIME(6)", True, ""),
    ),
    grain=("day", "id"),
    comment="",
)

SELECT = "SELECT id, day, item_id, quantity, amount, event_ts, label FROM bench_rows"


def _prepare(settings: Settings, rows: int) -> None:
    pg.drop_database(settings.pg_primary, SOURCE_DB)
    pg.create_database(settings.pg_primary, SOURCE_DB)
    with pg.connect(settings.pg_primary, SOURCE_DB) as conn:
        conn.execute(SOURCE_TABLE, {"rows": rows})
        conn.execute("CREATE INDEX ON bench_rows (day)")
        conn.execute("ANALYZE bench_rows")
    target = settings.target("reporting")
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {TARGET_DB}")
        cur.execute(f"CREATE DATABASE {TARGET_DB} CHARACTER SET utf8mb4")
        cur.execute(f"USE {TARGET_DB}")
        for name in ("bench_physical", "bench_pandas", "bench_platform"):
            cur.execute(TARGET_TABLE.format(name=name))


def _physical(settings: Settings) -> float:
    target = settings.target("reporting")
    started = time.perf_counter()
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    try:
        with pg.connect(settings.pg_primary, SOURCE_DB) as conn, conn.cursor() as cur:
            with (
                open(path, "wb") as handle,
                cur.copy(f"COPY ({SELECT}) TO STDOUT WITH (FORMAT csv, NULL '\\N')") as copy,
            ):
                for block in copy:
                    handle.write(block)
        with mysql.connect(target, database=TARGET_DB, local_infile=True) as conn:
            with conn.cursor() as cur:
                cur.execute(
                    "LOAD DATA LOCAL INFILE %s INTO TABLE bench_physical CHARACTER SET utf8mb4 "
                    "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' "
                    "LINES TERMINATED BY '\\n' "
                    "(id, day, item_id, quantity, amount, @ts, label) "
                    "SET event_ts = CONVERT_TZ(LEFT(@ts, 26), '+00:00', '+00:00')",
                    (path,),
                )
            conn.commit()
    finally:
        os.unlink(path)
    return time.perf_counter() - started


def _pandas(settings: Settings, rows: int) -> tuple[float, int]:
    source = settings.pg_primary
    target = settings.target("reporting")
    pg_url = sqlalchemy.URL.create(
        "postgresql+psycopg",
        username=source.user,
        password=source.password or None,
        host=source.host,
        port=source.port,
        database=SOURCE_DB,
    )
    my_url = sqlalchemy.URL.create(
        "mysql+pymysql",
        username=target.user,
        password=target.password or None,
        host=target.host,
        port=target.port,
        database=TARGET_DB,
    )
    started = time.perf_counter()
    frame = pd.read_sql(f"{SELECT} ORDER BY id LIMIT {rows}", sqlalchemy.create_engine(pg_url))
    frame["event_ts"] = frame["event_ts"].dt.tz_convert("UTC").dt.tz_localize(None)
    frame.to_sql(
        "bench_pandas",
        sqlalchemy.create_engine(my_url),
        if_exists="append",
        index=False,
        chunksize=1000,
        method="multi",
    )
    return time.perf_counter() - started, len(frame)


def _platform(settings: Settings) -> tuple[float, str]:
    source = settings.pg_primary
    target = settings.target("reporting")
    pg_resource = PostgresSource(
        logical="bench",
        database=SOURCE_DB,
        host=source.host,
        port=source.port,
        user=source.user,
        password=source.password,
    )
    db = MySQLDatabase(
        logical="reporting",
        database=TARGET_DB,
        host=target.host,
        port=target.port,
        user=target.user,
        password=target.password,
    )
    schema = TableSchema(SCHEMA.database, "bench_platform", SCHEMA.columns, SCHEMA.grain, "")
    window = Window(date(2025, 1, 1), date(2025, 1, 29))
    started = time.perf_counter()
    # As a backfill does: the window in chunks, the next one extracted while this one loads.
    with StagedLoad(db, schema, date_column="day", window=window) as load:
        stage_pipelined(
            load,
            window.chunks(7),
            lambda chunk: pg_resource.query_df(
                f"{SELECT} WHERE day >= %(start)s AND day < %(end)s", chunk.params
            ),
        )
        load.publish(datetime.now(UTC))
        method = load.stats.method
    return time.perf_counter() - started, method


def run(settings: Settings | None = None, rows: int = 500_000, pandas_rows: int = 100_000) -> dict:
    """Measure the three paths on `rows` rows (pandas on a smaller sample: it is the slow one)."""
    settings = settings or load_settings()
    _prepare(settings, rows)
    physical_s = _physical(settings)
    platform_s, method = _platform(settings)
    pandas_s, pandas_n = _pandas(settings, pandas_rows)
    physical_rate = rows / physical_s
    platform_rate = rows / platform_s
    pandas_rate = pandas_n / pandas_s
    pg.drop_database(settings.pg_primary, SOURCE_DB)
    with mysql.connect(settings.target("reporting"), database=None, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {TARGET_DB}")
    return {
        "rows": rows,
        "physical_rows_per_s": round(physical_rate),
        "platform_rows_per_s": round(platform_rate),
        "pandas_to_sql_rows_per_s": round(pandas_rate),
        "platform_vs_physical": round(platform_rate / physical_rate, 3),
        "platform_vs_pandas": round(platform_rate / pandas_rate, 2),
        "platform_method": method,
        "target_vs_physical": 0.7,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--pandas-rows", type=int, default=100_000)
    args = parser.parse_args()
    result = run(rows=args.rows, pandas_rows=args.pandas_rows)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
