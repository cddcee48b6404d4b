"""How `genims seed` scales: rows per second, wall time and peak memory at several scale factors.

Each scale factor seeds a year of history into databases of its own (``PG_DATABASE_*`` =
``<prefix>_<logical>``, contract and change capture installed as `genims db init` does) in a child
process, so peak RSS belongs to that seed alone. The baseline, measured in the same run, is a raw
COPY of exactly the rows the seed produced from those databases into empty copies of the
contract: the ratio seed / raw COPY is what generating the data costs on top of loading it. All
benchmark databases are dropped at the end.

Run: ``python -m benchmarks.seed_scaling [--scales 0.1 1 3] [--days 365] [--keep]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date

from psycopg import sql

from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib import pg
from genims_platform.settings import Settings, load_settings

END_DATE = date(2025, 6, 30)
PREFIX = "genims_bench_seed"


def _environ(prefix: str) -> dict[str, str]:
    env = dict(os.environ)
    for logical in SOURCE_DATABASES:
        env[f"PG_DATABASE_{logical.upper()}"] = f"{prefix}_{logical}"
    return env


def _child(scale: float, days: int, seed: int) -> None:
    """Seed in this process and print rows, wall time and peak RSS as JSON."""
    from genims_platform.simulator import seed as run_seed

    started = time.perf_counter()
    counts = run_seed(
        load_settings(),
        scale=scale,
        days=days,
        seed=seed,
        end_date=END_DATE,
        replace=True,
        progress=False,
    )
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": sum(counts.values()),
                "wall_s": wall,
                "peak_rss_mb": peak_kb / 1024,
                "tables": counts,
            }
        )
    )


def _raw_copy(source: Settings, target: Settings) -> float:
    """Seconds to COPY every source table's rows into empty copies of the contract."""
    started = time.perf_counter()
    for logical in SOURCE_DATABASES:
        with (
            pg.connect(source.pg_primary, source.source_db(logical)) as src,
            pg.connect(target.pg_primary, target.source_db(logical)) as dst,
        ):
            dst.execute("SET session_replication_role = replica")
            tables = [
                r[0]
                for r in src.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            ]
            for table in tables:
                ident = sql.Identifier(table)
                with (
                    src.cursor().copy(
                        sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(ident)
                    ) as out,
                    dst.cursor().copy(
                        sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(ident)
                    ) as into,
                ):
                    for block in out:
                        into.write(block)
    return time.perf_counter() - started


def run(
    scales: tuple[float, ...] = (0.1, 1.0),
    *,
    days: int = 365,
    seed: int = 42,
    prefix: str = PREFIX,
    baseline: bool = True,
    keep: bool = False,
) -> dict[float, dict]:
    """Seed each scale factor into its own databases and measure; returns the figures."""
    from genims_platform.bootstrap import init_all
    from genims_platform.sources.contract import apply_contract

    results: dict[float, dict] = {}
    for scale in scales:
        name = f"{prefix}_{str(scale).replace('.', '_')}"
        env = _environ(name)
        settings = load_settings(env)
        raw = load_settings(_environ(f"{name}_raw"))
        try:
            init_all(settings, targets=[])
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.seed_scaling",
                    "--child",
                    "--scales",
                    str(scale),
                    "--days",
                    str(days),
                    "--seed",
                    str(seed),
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(proc.stdout.strip().splitlines()[-1])
            figures["rows_per_s"] = figures["rows"] / figures["wall_s"]
            if baseline:
                for logical in SOURCE_DATABASES:
                    apply_contract(raw, logical)
                figures["raw_copy_s"] = _raw_copy(settings, raw)
                figures["seed_vs_raw_copy"] = figures["wall_s"] / figures["raw_copy_s"]
            results[scale] = figures
        finally:
            if not keep:
                for s in (settings, raw):
                    for logical in SOURCE_DATABASES:
                        pg.drop_database(s.pg_primary, s.source_db(logical))
    return results


def markdown(results: dict[float, dict], days: int) -> str:
    lines = [
        "| scale | days | rows | wall (s) | rows/s | peak RSS (MB) | raw COPY (s) | seed / COPY |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, f in results.items():
        raw = f.get("raw_copy_s")
        raw_text = "-" if raw is None else f"{raw:.1f}"
        ratio = "-" if raw is None else f"{f['seed_vs_raw_copy']:.2f}x"
        lines.append(
            f"| {scale:g} | {days} | {f['rows']:,} | {f['wall_s']:.1f} | {f['rows_per_s']:,.0f} | "
            f"{f['peak_rss_mb']:.0f} | {raw_text} | {ratio} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark databases.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.scales[0], args.days, args.seed)
        return
    results = run(
        tuple(args.scales),
        days=args.days,
        seed=args.seed,
        baseline=not args.no_baseline,
        keep=args.keep,
    )
    print(markdown(results, args.days))


if __name__ == "__main__":
    main()
