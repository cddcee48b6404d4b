"""The reporting database on a simulated plant: the hourly refresh, a year's backfill, the
dashboards' queries and the observation of the sources.

A year of a plant at the chosen scale is seeded into databases of their own
(``<prefix>_<logical>``), then, each phase in a child process so that its peak RSS is its own:

* backfill: every one of the 35 reporting tables over the year as one ranged run per table
  (the single-run backfill the UI and CLI launch); the two monthly tables over 12 months
  (targets at SF1: 10 minutes, 1.5 GB peak RSS);
* hourly: what the hourly automation does on the populated database: the open partition of
  every table, one run for the 33 daily tables and one for the 2 monthly ones, through the
  builder's assets with the real resources (target at SF1: 60 s).

Then, in this process:

* dashboards: every sample dashboard query of `sql/dashboards/` that reads the reporting
  database, 3 warm-ups then 50 timed executions each, p50 and p95 (target at SF1: p95 10 ms);
  the busiest key of each query's table is used, and a `SELECT 1` round trip is the floor;
* observation: the data-version query of the observable source assets (change markers and
  PostgreSQL's counters, one round trip per database), each source database 20 times on a new
  connection, as each observation run opens one (target at SF1: < 2 s for one database);
* baselines, on the biggest reporting table's year: a naive pipeline (`pandas.read_sql` of
  the table's extracts, joined and derived in pandas, `DataFrame.to_sql(chunksize=1000,
  method="multi")`) and the physical limit (`COPY (driving query) TO STDOUT` into a CSV file,
  `LOAD DATA LOCAL INFILE` of it); the platform's backfill of that table is reported as a
  ratio to each.

Every benchmark database is dropped at the end unless --keep.
Run: ``python -m benchmarks.reporting [--scale 1] [--days 365] [--keep] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from typing import Any

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES
from genims_platform.lib import mysql, pg
from genims_platform.settings import Settings, load_settings

PREFIX = "genims_bench_rp"
END_DATE = date(2025, 12, 31)

# Targets, all for an SF1 plant with a year of history.
TARGET_SCALE = 1.0
HOURLY_TARGET_S = 60.0
BACKFILL_TARGET_S = 600.0
BACKFILL_RSS_TARGET_MB = 1536.0
DASHBOARD_P95_TARGET_MS = 10.0
OBSERVATION_TARGET_S = 2.0

QUERY_RUNS = 50
QUERY_WARMUPS = 3
OBSERVATION_RUNS = 20
_PARAM = re.compile(r"%\((\w+)\)s")
_FROM = re.compile(r"\bFROM\s+`?(\w+)`?", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")


def _environ(prefix: str, days: int) -> dict[str, str]:
    env = dict(os.environ)
    for logical in SOURCE_DATABASES:
        env[f"PG_DATABASE_{logical.upper()}"] = f"{prefix}_{logical}"
    for logical in TARGET_DATABASES:
        env[f"MYSQL_{logical.upper()}_DB"] = f"{prefix}_{logical}"
    env["GENIMS_HISTORY_START"] = (END_DATE - timedelta(days=days - 1)).isoformat()
    return env


def _assets() -> dict[str, tuple[Any, Any]]:
    """The builder's asset of every reporting table, by table name, with its declaration."""
    from genims_platform.lib.builder import build_table_asset
    from genims_platform.lib.environment import physical_target_names
    from genims_platform.lib.partitions import history_start, partitions_for
    from genims_platform.reporting.tables import REPORTING_TABLES

    database = physical_target_names()["reporting"]
    start = history_start()
    return {
        s.name: (s, build_table_asset(s, partitions_for(s.partitioning, start), database))
        for s in REPORTING_TABLES
    }


def _month(day: date) -> str:
    return day.replace(day=1).isoformat()


def _outcome(result, name: str) -> dict[str, Any]:
    """Rows, success and failed or warning data tests of one table in a finished run."""
    node = f"reporting__{name}"
    # A ranged run records one materialisation per partition, each with the run's row count.
    rows = max(
        (
            int(event.metadata["dagster/row_count"].value)
            for event in result.asset_materializations_for_node(node)
        ),
        default=0,
    )
    evaluations = [e for e in result.get_asset_check_evaluations() if e.asset_key.path[-1] == name]
    failed = [e.check_name for e in evaluations if not e.passed and e.severity.value == "ERROR"]
    warned = sorted({e.check_name for e in evaluations if not e.passed} - set(failed))
    return {
        "rows": rows,
        "ok": node not in result.get_failed_step_keys(),
        "failed": failed,
        "warned": warned,
    }


def _backfill(days: int) -> dict[str, Any]:
    """Every table over the history, one ranged run each (monthly tables by month)."""
    import dagster as dg

    from genims_platform.lib.environment import build_resources

    instance = dg.DagsterInstance.ephemeral()
    first = END_DATE - timedelta(days=days - 1)
    tables: dict[str, Any] = {}
    for name, (spec, asset) in _assets().items():
        monthly = spec.partitioning == "monthly"
        tags = {
            "dagster/asset_partition_range_start": _month(first) if monthly else first.isoformat(),
            "dagster/asset_partition_range_end": _month(END_DATE)
            if monthly
            else END_DATE.isoformat(),
        }
        started = time.perf_counter()
        result = dg.materialize(
            [asset], instance=instance, resources=build_resources(), tags=tags, raise_on_error=False
        )
        tables[name] = {
            "seconds": round(time.perf_counter() - started, 2),
            **_outcome(result, name),
            "partitioning": spec.partitioning,
        }
    return {"tables": tables}


def _hourly() -> dict[str, Any]:
    """The open partition of every table: one run for the daily tables, one for the monthly."""
    import dagster as dg

    from genims_platform.lib.environment import build_resources

    instance = dg.DagsterInstance.ephemeral()
    assets = _assets()
    tables: dict[str, Any] = {}
    runs = []
    for partitioning, key in (("daily", END_DATE.isoformat()), ("monthly", _month(END_DATE))):
        group = [a for s, a in assets.values() if s.partitioning == partitioning]
        started = time.perf_counter()
        result = dg.materialize(
            group,
            instance=instance,
            resources=build_resources(),
            partition_key=key,
            raise_on_error=False,
        )
        seconds = time.perf_counter() - started
        runs.append({"partition": key, "tables": len(group), "seconds": round(seconds, 2)})
        steps = {
            e.step_key: e.event_specific_data.duration_ms / 1000
            for e in result.get_step_success_events()
        }
        for name, (spec, _) in assets.items():
            if spec.partitioning == partitioning:
                tables[name] = {
                    "seconds": round(steps.get(f"reporting__{name}", 0.0), 2),
                    **_outcome(result, name),
                    "partitioning": partitioning,
                }
    return {"runs": runs, "tables": tables}


def _child(phase: str, days: int, scale: float) -> None:
    """Run one phase in this process and print its figures as JSON."""
    started = time.perf_counter()
    if phase == "seed":
        from genims_platform.simulator import seed

        counts = seed(
            load_settings(),
            scale=scale,
            days=days,
            seed=42,
            end_date=END_DATE,
            replace=True,
            progress=False,
        )
        figures: dict[str, Any] = {"rows": sum(counts.values())}
    elif phase == "backfill":
        figures = _backfill(days)
    elif phase == "hourly":
        figures = _hourly()
    else:
        raise SystemExit(f"unknown phase {phase!r}")
    figures["seconds"] = round(time.perf_counter() - started, 2)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, default=str))


def _phase(env: dict[str, str], phase: str, days: int, scale: float) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.reporting", "--child", phase, "--days", str(days),
         "--scale", str(scale)],
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        raise RuntimeError(f"phase {phase} failed: {lines[-1] if lines else proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _percentiles(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, int(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
    }


def _dashboard_params(cur, table: str, query: str) -> dict[str, Any]:
    """Values for a dashboard query's parameters: the last day of history for `as_of`, 30 days
    back for `since`, and the busiest key of the table for an id (the most rows to return)."""
    from genims_platform.lib.schema import table_schema

    columns = set(table_schema("reporting", table).column_names)
    params: dict[str, Any] = {}
    for name in dict.fromkeys(_PARAM.findall(query)):
        if name == "as_of":
            params[name] = END_DATE
        elif name == "since":
            params[name] = END_DATE - timedelta(days=29)
        elif name in columns:
            column = mysql.quote_ident(name)
            cur.execute(
                f"SELECT {column} FROM {mysql.quote_ident(table)} GROUP BY {column} "
                "ORDER BY COUNT(*) DESC LIMIT 1"
            )
            row = cur.fetchone()
            params[name] = row[0] if row else None
        else:
            raise ValueError(f"dashboard query on {table}: no value for parameter {name!r}")
    return params


def _dashboards(settings: Settings, runs: int = QUERY_RUNS) -> dict[str, Any]:
    """p50/p95 of every reporting dashboard query, and of a bare round trip."""
    from genims_platform.lib.sqlfiles import SQL_ROOT, load_sql
    from genims_platform.reporting.tables import REPORTING_TABLES

    reporting = {s.name for s in REPORTING_TABLES}
    queries: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    with mysql.connect(settings.target("reporting")) as conn, conn.cursor() as cur:
        for path in sorted((SQL_ROOT / "dashboards").glob("*.sql")):
            text = load_sql("dashboards", path.name)
            code = _COMMENT.sub("", text)
            tables = [t for t in _FROM.findall(code) if t in reporting]
            if not tables:
                skipped[path.name] = "does not read the reporting database"
                continue
            params = _dashboard_params(cur, tables[0], text)
            for _ in range(QUERY_WARMUPS):
                cur.execute(text, params)
                cur.fetchall()
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                cur.execute(text, params)
                result = cur.fetchall()
                timings.append((time.perf_counter() - started) * 1000)
            stats = _percentiles(timings)
            queries[path.stem] = {
                "table": tables[0],
                "params": {k: str(v) for k, v in params.items()},
                "rows": len(result),
                "p50_ms": round(stats["p50"], 2),
                "p95_ms": round(stats["p95"], 2),
            }
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            cur.execute("SELECT 1")
            cur.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
        floor = _percentiles(timings)
    worst = max(queries, key=lambda q: queries[q]["p95_ms"])
    return {
        "queries": queries,
        "skipped": skipped,
        "round_trip": {"p50_ms": round(floor["p50"], 3), "p95_ms": round(floor["p95"], 3)},
        "worst": worst,
        "worst_p95_ms": queries[worst]["p95_ms"],
        "runs": runs,
    }


def _observed_tables() -> dict[str, list[str]]:
    """The source tables the platform observes, per source database (as `definitions.py`)."""
    from genims_platform.analytics.tables import ANALYTICS_TABLES
    from genims_platform.audit.definitions import AUDIT_TABLES
    from genims_platform.reporting.tables import REPORTING_TABLES

    reads: dict[str, set[str]] = {}
    for spec in [*REPORTING_TABLES, *ANALYTICS_TABLES, *AUDIT_TABLES]:
        for database, table in spec.reads:
            if database in SOURCE_DATABASES:
                reads.setdefault(database, set()).add(table)
    return {logical: sorted(tables) for logical, tables in sorted(reads.items())}


def _observation(settings: Settings, runs: int = OBSERVATION_RUNS) -> dict[str, Any]:
    """Seconds of one database's observation (the data-version query on a new connection)."""
    from genims_platform.audit.ingest import source_resource
    from genims_platform.lib.resources import dispose_pools
    from genims_platform.sources.assets import observe_database

    databases: dict[str, Any] = {}
    for logical, tables in _observed_tables().items():
        resource_ = source_resource(settings, logical)
        timings = []
        for _ in range(runs):
            dispose_pools()
            started = time.perf_counter()
            observed = observe_database(resource_, logical, tables)
            timings.append(time.perf_counter() - started)
        stats = _percentiles(timings)
        databases[logical] = {
            "tables": len(observed),
            "p50_s": round(stats["p50"], 4),
            "p95_s": round(stats["p95"], 4),
            "max_s": round(stats["max"], 4),
        }
    dispose_pools()
    slowest = max(databases, key=lambda d: databases[d]["p95_s"])
    return {
        "databases": databases,
        "slowest": slowest,
        "slowest_p50_s": databases[slowest]["p50_s"],
        "slowest_p95_s": databases[slowest]["p95_s"],
        "runs": runs,
    }


def _engine(url: str):
    import sqlalchemy

    return sqlalchemy.create_engine(url)


def _naive(settings: Settings, spec, first: date, end: date) -> tuple[float, int]:
    """The table's year the naive way: read_sql of each extract, pandas joins and the table's
    own derivation, then to_sql in multi-row INSERTs of 1000."""
    import pandas as pd
    import sqlalchemy

    from genims_platform.lib.sqlfiles import load_sql
    from genims_platform.lib.window import Window

    server = settings.pg_primary
    target = settings.target("reporting")
    window = Window(first, end)

    def pg_url(logical: str):
        return sqlalchemy.URL.create(
            "postgresql+psycopg", username=server.user, password=server.password or None,
            host=server.host, port=server.port, database=settings.source_db(logical),
        )  # fmt: skip

    my_url = sqlalchemy.URL.create(
        "mysql+pymysql", username=target.user, password=target.password or None,
        host=target.host, port=target.port, database=target.database,
    )  # fmt: skip
    engines = {logical: _engine(pg_url(logical)) for logical in spec.sources}
    started = time.perf_counter()
    frame = None
    for extract in spec.extracts:
        part = pd.read_sql(
            load_sql("reporting", extract.sql),
            engines[extract.source],
            params=window.params if extract.windowed else {},
        )
        frame = part if frame is None else frame.merge(part, on=list(extract.on), how=extract.how)
    if spec.derive is not None and not frame.empty:
        frame = spec.derive(frame, window)
    frame.to_sql(
        "bench_naive", _engine(my_url), if_exists="replace", index=False, chunksize=1000,
        method="multi",
    )  # fmt: skip
    seconds = time.perf_counter() - started
    for engine in engines.values():
        engine.dispose()
    return seconds, len(frame)


def _physical(settings: Settings, spec, first: date, end: date) -> tuple[float, int]:
    """The table's driving query of the year: COPY to a CSV file, LOAD DATA LOCAL of it into a
    table with the same columns and key, nothing else."""
    from genims_platform.lib.sqlfiles import load_sql

    extract = spec.extracts[0]
    query = load_sql("reporting", extract.sql).strip().rstrip(";")
    params = {"start": first, "end": end}
    server = settings.pg_primary
    database = settings.source_db(extract.source)
    with pg.connect(server, database) as conn:
        cur = conn.execute(f"SELECT * FROM ({query}) AS q LIMIT 0", params)
        names = [d.name for d in cur.description]
    types = {c.name: c.sql_type for c in spec.schema.columns}
    definitions = [f"{mysql.quote_ident(n)} {types.get(n, 'VARCHAR(255)')} NULL" for n in names]
    if all(g in names for g in spec.schema.grain):
        key = ", ".join(mysql.quote_ident(g) for g in spec.schema.grain)
        definitions.append(f"PRIMARY KEY ({key})")
    target = settings.target("reporting")
    with mysql.connect(target, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_physical")
        cur.execute(
            f"CREATE TABLE bench_physical ({', '.join(definitions)}) "
            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        )
    started = time.perf_counter()
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    try:
        with pg.connect(server, database) as conn, open(path, "wb") as out:
            copy_sql = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL '\\N')"
            with conn.cursor().copy(copy_sql, params) as copy:
                for block in copy:
                    out.write(block)
        columns = ", ".join(mysql.quote_ident(n) for n in names)
        with (
            mysql.connect(target, local_infile=True, autocommit=True) as conn,
            conn.cursor() as cur,
        ):
            rows = cur.execute(
                f"LOAD DATA LOCAL INFILE %s INTO TABLE bench_physical CHARACTER SET utf8mb4 "
                f"FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ({columns})",
                (path,),
            )
    finally:
        os.unlink(path)
    return time.perf_counter() - started, int(rows)


def _baselines(settings: Settings, backfill: dict[str, Any], first: date, end: date) -> dict:
    """The biggest table's year: platform backfill against the naive and physical paths."""
    from genims_platform.reporting.tables import REPORTING_TABLES

    tables = backfill["tables"]
    name = max(tables, key=lambda t: tables[t]["rows"])
    spec = next(s for s in REPORTING_TABLES if s.name == name)
    try:
        naive_s, naive_rows = _naive(settings, spec, first, end)
        physical_s, physical_rows = _physical(settings, spec, first, end)
    finally:
        with mysql.connect(settings.target("reporting"), autocommit=True) as conn:
            with conn.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS bench_naive, bench_physical")
    platform_s = tables[name]["seconds"]
    return {
        "table": name,
        "extracts": len(spec.extracts),
        "platform_s": platform_s,
        "platform_rows": tables[name]["rows"],
        "naive_pandas_s": round(naive_s, 2),
        "naive_rows": naive_rows,
        "physical_s": round(physical_s, 2),
        "physical_rows": physical_rows,
        "platform_vs_naive": round(platform_s / naive_s, 2),
        "platform_vs_physical": round(platform_s / physical_s, 2),
    }


def _analyze(settings: Settings) -> None:
    """Statistics for the freshly loaded sources, as autovacuum would gather shortly after."""
    for logical in SOURCE_DATABASES:
        with pg.connect(settings.pg_primary, settings.source_db(logical), autocommit=True) as c:
            c.execute("ANALYZE")


def _create(settings: Settings) -> None:
    from genims_platform.sources.contract import apply_contract
    from genims_platform.targets import init_target

    for logical in SOURCE_DATABASES:
        pg.drop_database(settings.pg_primary, settings.source_db(logical))
        pg.create_database(settings.pg_primary, settings.source_db(logical))
        apply_contract(settings, logical)
    target = settings.target("reporting")
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(target.database)}")
    init_target(settings, "reporting")


def _drop(settings: Settings) -> None:
    from genims_platform.lib.resources import dispose_pools

    dispose_pools()
    for logical in SOURCE_DATABASES:
        pg.drop_database(settings.pg_primary, settings.source_db(logical))
    for logical in TARGET_DATABASES:
        target = settings.target(logical)
        with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(target.database)}")


def run(
    scale: float = 1.0, *, days: int = 365, prefix: str = PREFIX, keep: bool = False
) -> dict[str, Any]:
    """Seed, backfill, refresh the open day, time the dashboards and the observation, and
    measure the baselines; return the figures (see the module docstring)."""
    env = _environ(prefix, days)
    settings = load_settings(env)
    first = END_DATE - timedelta(days=days - 1)
    end = END_DATE + timedelta(days=1)
    result: dict[str, Any] = {"scale": scale, "days": days, "end_date": END_DATE.isoformat()}
    try:
        _create(settings)
        result["seed"] = _phase(env, "seed", days, scale)
        _analyze(settings)
        result["observation"] = _observation(settings)
        result["backfill"] = _phase(env, "backfill", days, scale)
        result["hourly"] = _phase(env, "hourly", days, scale)
        result["dashboards"] = _dashboards(settings)
        result["baselines"] = _baselines(settings, result["backfill"], first, end)
    finally:
        if not keep:
            _drop(settings)
    return result


def markdown(result: dict[str, Any]) -> str:
    """The figures of one scale as a Markdown report."""
    backfill, hourly = result["backfill"], result["hourly"]
    dash, observed, base = result["dashboards"], result["observation"], result["baselines"]
    rows = sum(t["rows"] for t in backfill["tables"].values())
    lines = [
        f"SF{result['scale']:g}, {result['days']} days to {result['end_date']}, "
        f"{result['seed']['rows']:,} source rows",
        "",
        "| measure | figure | target at SF1 |",
        "|---|---:|---:|",
        f"| backfill: 35 tables over the history, one run each | {backfill['seconds']:.0f} s "
        f"({rows:,} rows) | {BACKFILL_TARGET_S:.0f} s |",
        f"| backfill peak RSS | {backfill['peak_rss_mb']} MB | {BACKFILL_RSS_TARGET_MB:.0f} MB |",
        f"| hourly: the open day of 35 tables (2 runs) | "
        f"{sum(r['seconds'] for r in hourly['runs']):.1f} s | {HOURLY_TARGET_S:.0f} s |",
        f"| hourly peak RSS | {hourly['peak_rss_mb']} MB | |",
        f"| dashboard queries, worst p95 ({dash['worst']}) | {dash['worst_p95_ms']} ms "
        f"| {DASHBOARD_P95_TARGET_MS:g} ms |",
        f"| `SELECT 1` round trip p95 | {dash['round_trip']['p95_ms']} ms | |",
        f"| observation of one source database, slowest ({observed['slowest']}) p50 / p95 "
        f"| {observed['slowest_p50_s']} / {observed['slowest_p95_s']} s "
        f"| {OBSERVATION_TARGET_S:g} s |",
        f"| {base['table']}, year: platform / naive pandas / physical COPY+LOAD "
        f"| {base['platform_s']} / {base['naive_pandas_s']} / {base['physical_s']} s "
        f"({base['platform_vs_naive']}x naive, {base['platform_vs_physical']}x physical) | |",
        "",
        "| table | backfill s | rows | hourly s |",
        "|---|---:|---:|---:|",
    ]
    for name, figures in backfill["tables"].items():
        flag = "" if figures["ok"] else f" FAILED {figures['failed']}"
        lines.append(
            f"| {name}{flag} | {figures['seconds']} | {figures['rows']:,} "
            f"| {hourly['tables'][name]['seconds']} |"
        )
    lines += [
        "",
        "| dashboard query | table | rows | p50 ms | p95 ms |",
        "|---|---|---:|---:|---:|",
    ]
    for name, q in dash["queries"].items():
        lines.append(f"| {name} | {q['table']} | {q['rows']} | {q['p50_ms']} | {q['p95_ms']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--prefix", default=PREFIX)
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark databases.")
    parser.add_argument("--json", action="store_true", help="Print the raw figures as JSON.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.days, args.scale)
        return
    result = run(args.scale, days=args.days, prefix=args.prefix, keep=args.keep)
    print(json.dumps(result, indent=2, default=str) if args.json else markdown(result))


if __name__ == "__main__":
    main()
