"""The analytics warehouse on a simulated plant: a year's backfill, the nightly run, and the
analysts' star-join query.

A year of an SF1 plant is seeded into databases of their own (``<prefix>_<logical>``), then,
each phase in a child process so that its peak RSS is its own:

* backfill: the 11 dimensions merged, then every fact over the whole year as one ranged run
  per table (the single-run backfill the UI and CLI launch), then both aggregates over the
  year (targets: 10 minutes, 1.5 GB);
* nightly: what the 01:00 automation does on the populated warehouse: every dimension merged,
  the facts and the daily aggregate for the last day, the monthly aggregate for its month
  (target: 2 minutes); the same with the production restatement of the last 7 days is
  reported next to it;
* query: revenue by customer segment by month over the year (sql/dashboards/analytics.sql),
  SCD2-correct, 50 timed executions after 3 warm-ups (target: p95 200 ms).

Baselines measured in the same run, on the largest plain fact (journal lines, a year): a naive
pipeline (`pandas.read_sql` of the fact's query, `DataFrame.to_sql(chunksize=1000,
method="multi")`) and the physical limit (`COPY (query) TO STDOUT` into a CSV file, `LOAD DATA
LOCAL INFILE` of it into an empty copy of the table); for the query, the same aggregation with
the covering index disabled. Every benchmark database is dropped at the end unless --keep.

Run: ``python -m benchmarks.analytics [--scale 1] [--days 365] [--keep]``.
"""

from __future__ import annotations

import argparse
import json
import os
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

PREFIX = "genims_bench_an"
END_DATE = date(2025, 12, 31)
RESTATEMENT_DAYS = 7


def _environ(prefix: str, days: int) -> dict[str, str]:
    env = dict(os.environ)
    for logical in SOURCE_DATABASES:
        env[f"PG_DATABASE_{logical.upper()}"] = f"{prefix}_{logical}"
    for logical in TARGET_DATABASES:
        env[f"MYSQL_{logical.upper()}_DB"] = f"{prefix}_{logical}"
    env["GENIMS_HISTORY_START"] = (END_DATE - timedelta(days=days - 1)).isoformat()
    return env


def _definitions():
    import dagster as dg

    from genims_platform.analytics.tables import ANALYTICS_TABLES
    from genims_platform.lib.builder import build_table_asset
    from genims_platform.lib.environment import physical_target_names
    from genims_platform.lib.partitions import history_start, partitions_for

    names = physical_target_names()
    start = history_start()
    assets = [
        build_table_asset(s, partitions_for(s.partitioning, start), names[s.target])
        for s in ANALYTICS_TABLES
    ]
    return dg.Definitions(assets=assets), {s.name: s for s in ANALYTICS_TABLES}


def _materialize(defs, instance, name: str, first: date | None, last: date | None) -> dict:
    """One run of one table (a dimension as a whole, else the inclusive range first..last)."""
    import dagster as dg

    from genims_platform.lib.environment import build_resources
    from genims_platform.lib.keys import target_key

    asset = defs.get_assets_def(target_key("analytics", name))
    tags = {}
    if asset.partitions_def is not None:
        monthly = isinstance(asset.partitions_def, dg.MonthlyPartitionsDefinition)
        key = (lambda d: d.replace(day=1).isoformat()) if monthly else date.isoformat
        tags = {
            "dagster/asset_partition_range_start": key(first),
            "dagster/asset_partition_range_end": key(last),
        }
    started = time.perf_counter()
    result = dg.materialize(
        [asset], instance=instance, resources=build_resources(), tags=tags, raise_on_error=False
    )
    seconds = time.perf_counter() - started
    # A ranged run records one materialisation per partition, each with the run's row count.
    rows = max(
        (
            int(event.metadata["dagster/row_count"].value)
            for event in result.asset_materializations_for_node(f"analytics__{name}")
        ),
        default=0,
    )
    evaluations = result.get_asset_check_evaluations()
    failed = [e.check_name for e in evaluations if not e.passed and e.severity.value == "ERROR"]
    warned = sorted({e.check_name for e in evaluations if not e.passed} - set(failed))
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "ok": result.success,
        "failed": failed,
        "warned": warned,
    }


def _child(phase: str, days: int, scale: float) -> None:
    """Run one phase in this process and print its figures as JSON."""
    import dagster as dg

    figures: dict[str, Any] = {"tables": {}}
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
        figures["rows"] = sum(counts.values())
    else:
        defs, specs = _definitions()
        first = END_DATE - timedelta(days=days - 1)
        if phase == "nightly":
            first = END_DATE
        elif phase == "restatement":
            first = END_DATE - timedelta(days=RESTATEMENT_DAYS - 1)
        instance = dg.DagsterInstance.ephemeral()
        order = [n for n in specs if n.startswith("dim_")]
        order += [n for n in specs if n.startswith("fact_")]
        order += [n for n in specs if n.startswith("agg_")]
        for name in order:
            figures["tables"][name] = _materialize(defs, instance, name, first, END_DATE)
    figures["seconds"] = round(time.perf_counter() - started, 2)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, default=str))


def _phase(env: dict[str, str], phase: str, days: int, scale: float) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.analytics", "--child", phase, "--days", str(days),
         "--scale", str(scale)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _query(settings: Settings, first: date, end: date, runs: int = 50) -> dict:
    """Latency of the dashboard star join, and of the same aggregation without its index."""
    from genims_platform.lib.sqlfiles import load_sql

    query = load_sql("dashboards", "analytics.sql")
    unindexed = query.replace(
        "FROM fact_sales_order_line f",
        "FROM fact_sales_order_line f IGNORE INDEX (idx_fsol_revenue)",
    )
    params = {"start": first, "end": end}
    out: dict[str, Any] = {}
    with mysql.connect(settings.target("analytics")) as conn, conn.cursor() as cur:
        for label, text in (("query", query), ("without_index", unindexed)):
            for _ in range(3):
                cur.execute(text, params)
                cur.fetchall()
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                cur.execute(text, params)
                result = cur.fetchall()
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            out[label] = {
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 1),
                "rows": len(result),
            }
    out["index_speedup"] = round(out["without_index"]["p95_ms"] / out["query"]["p95_ms"], 2)
    return out


def _baselines(settings: Settings, first: date, end: date) -> dict:
    """Journal lines of the year by a naive pandas pipeline and by raw COPY + LOAD DATA."""
    import pandas as pd
    import sqlalchemy

    from genims_platform.lib.sqlfiles import load_sql

    query = load_sql("analytics", "fact_gl_journal_line.sql")
    params = {"start": first, "end": end}
    source = settings.source_db("financial")
    target = settings.target("analytics")
    figures: dict[str, Any] = {}
    with mysql.connect(target, autocommit=True) as conn, conn.cursor() as cur:
        for name in ("bench_naive", "bench_raw"):
            cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute("CREATE TABLE bench_raw LIKE fact_gl_journal_line")
        cur.execute(
            "ALTER TABLE bench_raw DROP COLUMN date_key, DROP COLUMN gl_account_key, "
            "DROP COLUMN factory_key, MODIFY updated_at DATETIME(6) NULL"
        )

    server = settings.pg_primary
    pg_url = (
        f"postgresql+psycopg://{server.user}:{server.password}@{server.host}:{server.port}/{source}"
    )
    my_url = f"mysql+pymysql://{target.user}:{target.password}@{target.host}:{target.port}/"
    started = time.perf_counter()
    frame = pd.read_sql(
        sqlalchemy.text(query.replace("%(start)s", ":start").replace("%(end)s", ":end")),
        sqlalchemy.create_engine(pg_url),
        params=params,
    )
    frame.to_sql(
        "bench_naive",
        sqlalchemy.create_engine(my_url + target.database),
        if_exists="replace",
        index=False,
        chunksize=1000,
        method="multi",
    )
    figures["naive_pandas_s"] = round(time.perf_counter() - started, 2)
    figures["rows"] = len(frame)

    started = time.perf_counter()
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    try:
        with pg.connect(server, source) as conn, open(path, "wb") as out:
            copy_sql = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL '\\N')"
            with conn.cursor().copy(copy_sql, params) as copy:
                for block in copy:
                    out.write(block)
        columns = ", ".join(frame.columns)
        with (
            mysql.connect(target, local_infile=True, autocommit=True) as conn,
            conn.cursor() as cur,
        ):
            cur.execute(
                f"LOAD DATA LOCAL INFILE %s INTO TABLE bench_raw FIELDS TERMINATED BY ',' "
                f"OPTIONALLY ENCLOSED BY '\"' ({columns})",
                (path,),
            )
    finally:
        os.unlink(path)
    figures["raw_copy_load_s"] = round(time.perf_counter() - started, 2)
    with mysql.connect(target, autocommit=True) as conn, conn.cursor() as cur:
        for name in ("bench_naive", "bench_raw"):
            cur.execute(f"DROP TABLE IF EXISTS {name}")
    return figures


def _create(settings: Settings) -> None:
    from genims_platform.sources.contract import apply_contract
    from genims_platform.targets import init_target

    for logical in SOURCE_DATABASES:
        pg.drop_database(settings.pg_primary, settings.source_db(logical))
        pg.create_database(settings.pg_primary, settings.source_db(logical))
        apply_contract(settings, logical)
    # Reporting stays empty: the facts' reconciliations with it only warn.
    for logical in ("analytics", "reporting"):
        target = settings.target(logical)
        with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(target.database)}")
        init_target(settings, logical)


def _drop(settings: Settings) -> None:
    for logical in SOURCE_DATABASES:
        pg.drop_database(settings.pg_primary, settings.source_db(logical))
    for logical in TARGET_DATABASES:
        target = settings.target(logical)
        with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(target.database)}")


def run(
    scale: float = 1.0, *, days: int = 365, prefix: str = PREFIX, keep: bool = False
) -> dict[str, Any]:
    """Seed, backfill, run the nightly refresh and time the star join; return the figures."""
    env = _environ(prefix, days)
    settings = load_settings(env)
    first = END_DATE - timedelta(days=days - 1)
    result: dict[str, Any] = {"scale": scale, "days": days}
    try:
        _create(settings)
        result["seed"] = _phase(env, "seed", days, scale)
        result["backfill"] = _phase(env, "backfill", days, scale)
        result["nightly"] = _phase(env, "nightly", days, scale)
        result["restatement"] = _phase(env, "restatement", days, scale)
        result["query"] = _query(settings, first, END_DATE + timedelta(days=1))
        result["baselines"] = _baselines(settings, first, END_DATE + timedelta(days=1))
        journal = result["backfill"]["tables"]["fact_gl_journal_line"]["seconds"]
        result["baselines"]["platform_s"] = journal
        result["baselines"]["platform_vs_naive"] = round(
            journal / result["baselines"]["naive_pandas_s"], 2
        )
        result["baselines"]["platform_vs_raw"] = round(
            journal / result["baselines"]["raw_copy_load_s"], 2
        )
    finally:
        if not keep:
            _drop(settings)
    return result


def markdown(result: dict[str, Any]) -> str:
    backfill, nightly = result["backfill"], result["nightly"]
    restated, query, base = result["restatement"], result["query"], result["baselines"]
    fact_rows = sum(t["rows"] for n, t in backfill["tables"].items() if n.startswith("fact_"))
    lines = [
        f"SF{result['scale']:g}, {result['days']} days, {result['seed']['rows']:,} source rows",
        "",
        "| measure | figure | target |",
        "|---|---:|---:|",
        f"| backfill: dims + 12 facts + 2 aggregates, one run each | {backfill['seconds']:.0f} s "
        f"({fact_rows:,} fact rows) | 600 s |",
        f"| backfill peak RSS | {backfill['peak_rss_mb']} MB | 1536 MB |",
        f"| nightly: dims + 1 day of facts + aggregates | {nightly['seconds']:.1f} s | 120 s |",
        f"| nightly peak RSS | {nightly['peak_rss_mb']} MB | |",
        f"| nightly with the {RESTATEMENT_DAYS}-day restatement | {restated['seconds']:.1f} s | |",
        f"| star join p50 / p95 | {query['query']['p50_ms']} / {query['query']['p95_ms']} ms "
        f"| p95 200 ms |",
        f"| same without the covering index, p95 | {query['without_index']['p95_ms']} ms "
        f"({query['index_speedup']}x) | |",
        f"| journal lines, year: platform / naive pandas / raw COPY+LOAD | {base['platform_s']} / "
        f"{base['naive_pandas_s']} / {base['raw_copy_load_s']} s "
        f"({base['platform_vs_naive']}x naive, {base['platform_vs_raw']}x raw) | |",
        "",
        "| table | backfill s | rows | nightly s |",
        "|---|---:|---:|---:|",
    ]
    for name, figures in backfill["tables"].items():
        night = nightly["tables"][name]["seconds"]
        flag = "" if figures["ok"] else f" FAILED {figures['failed']}"
        lines.append(f"| {name}{flag} | {figures['seconds']} | {figures['rows']:,} | {night} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark databases.")
    parser.add_argument("--json", action="store_true", help="Print the raw figures as JSON.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.days, args.scale)
        return
    result = run(args.scale, days=args.days, keep=args.keep)
    print(json.dumps(result, indent=2, default=str) if args.json else markdown(result))


if __name__ == "__main__":
    main()
