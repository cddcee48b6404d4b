"""`make bench`: every benchmark at the chosen scales, written up as one report.

Each benchmark is a registered entry: the module that measures, how to call it at a scale (or
once, when it takes none), and how to read figures out of its result. A figure stands next to
the baseline measured in the same run (physical-limit copy, naive pandas pipeline,
`mysqldump | gzip`, unaudited writes), their ratio (figure / baseline), and the target it is
held to, with pass or miss. A module that is missing or fails is reported as FAILED with the
first line of its error, and the run goes on with the next one.

The report is written to ``benchmarks/results/report-<UTC timestamp>.md`` and ``.json``, and
copied to ``latest.md`` / ``latest.json`` beside them.

Run: ``python -m benchmarks.run [--scales 0.1,1,3] [--only reporting,analytics] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from genims_platform.lib.errors import first_line, scrub

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SCALES = (0.1, 1.0)
SECRET_MARKERS = ("PASSWORD", "SECRET", "CONNECTION_STRING", "ACCOUNT_KEY", "TOKEN")


@dataclass(frozen=True)
class Figure:
    """One measured figure, with the baseline of the same run and the target it is held to.

    `ratio` is value / baseline. `better` says which direction is good for both the value and
    the ratio. The target applies to the value or to the ratio (`target_of`); a target set for
    one scale (`target_scale`) is judged only at that scale.
    """

    name: str
    value: float | None
    unit: str = ""
    baseline: float | None = None
    baseline_name: str = ""
    better: Literal["lower", "higher"] = "lower"
    target: float | None = None
    target_of: Literal["value", "ratio"] = "value"
    target_scale: float | None = None
    source: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def status(self, scale: float | None) -> str:
        """`pass`, `miss`, `n/a` (target set for another scale) or "" (no target)."""
        if self.target is None:
            return ""
        if self.target_scale is not None and scale != self.target_scale:
            return "n/a"
        measured = self.ratio if self.target_of == "ratio" else self.value
        if measured is None or (isinstance(measured, float) and math.isnan(measured)):
            return "miss"
        good = measured <= self.target if self.better == "lower" else measured >= self.target
        return "pass" if good else "miss"


@dataclass(frozen=True)
class Benchmark:
    """A registered benchmark.

    `call(module, scale)` runs it and returns its result (`module` is the imported `module`,
    None when no module is named); `scaled` says whether it runs once per requested scale
    (True), once with scale None (False), or per scale only if the module's `run` accepts a
    `scale` argument (None). `figures(result, scale)` reads the figures out of the result;
    without it the module's own `report_figures(result)` is used if it has one, else every
    number in the result becomes a figure without baseline or target.
    """

    name: str
    description: str
    call: Callable[[ModuleType | None, float | None], Any]
    module: str | None = None
    scaled: bool | None = True
    figures: Callable[[Any, float | None], list[Figure]] | None = None


@dataclass
class Outcome:
    """What one benchmark at one scale produced."""

    name: str
    scale: float | None
    status: Literal["ok", "FAILED"]
    seconds: float
    figures: list[Figure] = field(default_factory=list)
    error: str = ""
    result: Any = None


def _secrets() -> list[str]:
    return [
        value
        for name, value in os.environ.items()
        if any(marker in name.upper() for marker in SECRET_MARKERS)
    ]


def _error_text(exc: BaseException) -> str:
    return scrub(f"{type(exc).__name__}: {first_line(exc)}", _secrets())


def _number_unit(key: str) -> str:
    key = key.lower()
    for suffix, unit in (
        ("_per_s", "/s"),
        ("_ms", "ms"),
        ("_mb", "MB"),
        ("_bytes", "B"),
        ("_s", "s"),
        ("seconds", "s"),
    ):
        if key.endswith(suffix):
            return unit
    return "x" if "ratio" in key or "_vs_" in key else ""


def generic_figures(result: Any, prefix: str = "") -> list[Figure]:
    """Every number of a (nested) dict result as a figure named by its path."""
    figures: list[Figure] = []
    if not isinstance(result, dict):
        return figures
    for key, value in result.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            figures += generic_figures(value, f"{path}.")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            unit = _number_unit(str(key))
            better = "higher" if unit == "/s" else "lower"
            figures.append(Figure(path, float(value), unit, better=better))
    return figures


def _module_figures(module: ModuleType | None, result: Any) -> list[Figure]:
    hook = getattr(module, "report_figures", None)
    if hook is None:
        return generic_figures(result)
    return [f if isinstance(f, Figure) else Figure(**f) for f in hook(result)]


def _takes_scale(module: ModuleType | None) -> bool:
    run = getattr(module, "run", None)
    return run is not None and "scale" in inspect.signature(run).parameters


def call_run(module: ModuleType | None, scale: float | None) -> Any:
    """Call the module's `run()`, with `scale` when it takes one."""
    run = getattr(module, "run", None)
    if run is None:
        raise AttributeError(f"{getattr(module, '__name__', module)} has no run() function")
    return run(scale=scale) if scale is not None and _takes_scale(module) else run()


def _restore_environment(saved: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(saved)


def _dispose_pools() -> None:
    from genims_platform.lib.resources import dispose_pools

    dispose_pools()


def run_benchmarks(
    entries: Sequence[Benchmark],
    scales: Sequence[float],
    *,
    log: Callable[[str], None] = lambda message: None,
) -> list[Outcome]:
    """Run every entry (per scale where it takes one); a failure is recorded, never raised.

    Each benchmark gets the environment the run started with: what one changes (database
    names, accounts) does not leak into the next.
    """
    outcomes: list[Outcome] = []
    for entry in entries:
        module: ModuleType | None = None
        started = time.perf_counter()
        try:
            module = importlib.import_module(entry.module) if entry.module else None
        except Exception as exc:  # a missing or broken module is reported, not fatal
            outcomes.append(
                Outcome(entry.name, None, "FAILED", time.perf_counter() - started,
                        error=_error_text(exc))
            )  # fmt: skip
            log(f"{entry.name}: FAILED ({outcomes[-1].error})")
            continue
        scaled = _takes_scale(module) if entry.scaled is None else entry.scaled
        for scale in scales if scaled else [None]:
            label = entry.name if scale is None else f"{entry.name} SF{scale:g}"
            log(f"{label}: running")
            saved = dict(os.environ)
            started = time.perf_counter()
            result = None
            try:
                result = entry.call(module, scale)
                figures = (
                    entry.figures(result, scale)
                    if entry.figures is not None
                    else _module_figures(module, result)
                )
                outcome = Outcome(
                    entry.name, scale, "ok", time.perf_counter() - started, figures, result=result
                )
            except Exception as exc:  # the run goes on with the next benchmark
                outcome = Outcome(
                    entry.name, scale, "FAILED", time.perf_counter() - started,
                    error=_error_text(exc), result=result,
                )  # fmt: skip
            finally:
                _restore_environment(saved)
                _dispose_pools()
            outcomes.append(outcome)
            done = "ok" if outcome.status == "ok" else f"FAILED ({outcome.error})"
            log(f"{label}: {done} in {outcome.seconds:.0f} s")
    return outcomes


def _jsonable(value: Any) -> Any:
    """Results as JSON: keys as strings, floats that JSON cannot carry as null."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def report_document(
    outcomes: Sequence[Outcome], meta: dict[str, Any], entries: Sequence[Benchmark] = ()
) -> dict[str, Any]:
    """The report as one JSON-able document (the Markdown is rendered from it)."""
    descriptions = {e.name: e.description for e in entries}
    benchmarks = []
    for o in outcomes:
        figures = []
        for f in o.figures:
            item = asdict(f)
            item["ratio"] = None if f.ratio is None else round(f.ratio, 4)
            item["status"] = f.status(o.scale)
            figures.append(item)
        benchmarks.append(
            {
                "name": o.name,
                "description": descriptions.get(o.name, ""),
                "scale": o.scale,
                "status": o.status,
                "error": o.error,
                "seconds": round(o.seconds, 1),
                "figures": figures,
                "result": o.result,
            }
        )
    statuses = [f["status"] for b in benchmarks for f in b["figures"]]
    summary = {
        "benchmarks": len(benchmarks),
        "failed": sum(b["status"] == "FAILED" for b in benchmarks),
        "figures": len(statuses),
        "pass": statuses.count("pass"),
        "miss": statuses.count("miss"),
        "not_applicable": statuses.count("n/a"),
    }
    return _jsonable({**meta, "summary": summary, "benchmarks": benchmarks})


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.01:
        return f"{value:.3g}"
    return f"{value:.2g}"


def _with_unit(value: float | None, unit: str) -> str:
    text = _number(value)
    if value is None or not unit:
        return text
    return f"{text}{unit}" if unit in ("x", "%") else f"{text} {unit}"


def _target_cell(f: dict[str, Any]) -> str:
    if f["target"] is None:
        return ""
    sign = "≤" if f["better"] == "lower" else "≥"
    unit = "x" if f["target_of"] == "ratio" else f["unit"]
    what = "ratio " if f["target_of"] == "ratio" else ""
    text = f"{what}{sign} {_with_unit(f['target'], unit)}"
    if f["target_scale"] is not None:
        text += f" at SF{f['target_scale']:g}"
    if f["source"]:
        text += f" ({f['source']})"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _scale_label(scale: float | None) -> str:
    return "-" if scale is None else f"SF{scale:g}"


def report_markdown(document: dict[str, Any]) -> str:
    """The report for people: a summary, then one table per benchmark."""
    host = document.get("host", {})
    summary = document["summary"]
    lines = [
        "# Benchmark report",
        "",
        f"- run: {document.get('started_at', '?')} to {document.get('finished_at', '?')} "
        f"({document.get('seconds', 0) / 60:.1f} min), scales: "
        f"{', '.join(_scale_label(s) for s in document.get('scales', []))}",
        f"- host: {host.get('cpus', '?')} CPUs, load average {host.get('load_start', '?')} at "
        f"the start and {host.get('load_end', '?')} at the end; {host.get('python', '')}; "
        f"{host.get('postgres', '')}; {host.get('mysql', '')}",
        f"- commit: {document.get('commit', '?')}",
        f"- {summary['figures']} figures: {summary['pass']} pass, {summary['miss']} miss, "
        f"{summary['not_applicable']} with a target for another scale; "
        f"{summary['failed']} of {summary['benchmarks']} benchmark runs FAILED",
        "",
        "Ratio = figure / baseline, both measured in this run: for times, sizes and latencies "
        "lower is better; for rates (/s) higher is better. A target stated for one scale is "
        "judged only at that scale (n/a elsewhere).",
        "",
        "## Summary",
        "",
        "| benchmark | scale | status | minutes | figures | pass | miss |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for b in document["benchmarks"]:
        statuses = [f["status"] for f in b["figures"]]
        status = b["status"] if b["status"] == "ok" else f"**FAILED**: {_cell(b['error'])}"
        lines.append(
            f"| {b['name']} | {_scale_label(b['scale'])} | {status} | {b['seconds'] / 60:.1f} "
            f"| {len(statuses)} | {statuses.count('pass')} | {statuses.count('miss')} |"
        )
    for b in document["benchmarks"]:
        lines += ["", f"## {b['name']} ({_scale_label(b['scale'])})", ""]
        if b["description"]:
            lines += [b["description"], ""]
        if b["status"] == "FAILED":
            lines.append(f"**FAILED**: {_cell(b['error'])}")
            continue
        lines += [
            "| figure | value | baseline | ratio | target | result |",
            "|---|---:|---:|---:|---|---|",
        ]
        for f in b["figures"]:
            baseline = ""
            if f["baseline"] is not None:
                baseline = f"{_with_unit(f['baseline'], f['unit'])} ({f['baseline_name']})"
            ratio = "" if f["ratio"] is None else f"{_number(f['ratio'])}x"
            name = f["name"] + (f" ({f['note']})" if f["note"] else "")
            lines.append(
                f"| {_cell(name)} | {_with_unit(f['value'], f['unit'])} | {_cell(baseline)} "
                f"| {ratio} | {_cell(_target_cell(f))} | {f['status']} |"
            )
    return "\n".join(lines) + "\n"


def write_report(document: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """Write report-<stamp>.md/.json into `out` and copy them to latest.md/.json."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = document.get("stamp") or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    markdown_path = out / f"report-{stamp}.md"
    json_path = out / f"report-{stamp}.json"
    markdown_path.write_text(report_markdown(document), encoding="utf-8")
    json_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    shutil.copyfile(markdown_path, out / "latest.md")
    shutil.copyfile(json_path, out / "latest.json")
    return markdown_path, json_path


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _versions() -> dict[str, str]:
    """Server versions for the report's header; blank when a server does not answer."""
    from genims_platform.lib import mysql, pg
    from genims_platform.settings import load_settings

    versions = {"postgres": "", "mysql": ""}
    try:
        settings = load_settings()
        with pg.connect(settings.pg_primary, "postgres") as conn:
            versions["postgres"] = "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]
        with mysql.connect(settings.target("reporting"), database=None) as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT VERSION()")
                versions["mysql"] = "MySQL-compatible " + cur.fetchone()[0]
    except Exception:  # the header is informative only; the benchmarks report their own errors
        pass
    return versions


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# Figures of each benchmark module's result.


def _seed_figures(r: dict[str, Any], scale: float | None) -> list[Figure]:
    return [
        Figure(
            f"seed: {r['rows']:,} source rows, a year of history",
            r["wall_s"],
            "s",
            baseline=r.get("raw_copy_s"),
            baseline_name="raw binary COPY of the same rows",
        ),
        Figure("seed throughput", r["rows_per_s"], "rows/s", better="higher"),
        Figure("seed peak RSS (child process)", r["peak_rss_mb"], "MB"),
    ]


def _bulk_figures(r: dict[str, Any], scale: float | None) -> list[Figure]:
    rate = r["platform_rows_per_s"]
    method = r.get("platform_method", "")
    return [
        Figure(
            f"platform load path, {r['rows']:,} rows",
            rate,
            "rows/s",
            baseline=r["physical_rows_per_s"],
            baseline_name="physical limit: COPY → CSV → LOAD DATA LOCAL",
            better="higher",
            target=r.get("target_vs_physical", 0.7),
            target_of="ratio",
            source="project target",
            note=f"load method {method}" if method else "",
        ),
        Figure(
            "platform load path",
            rate,
            "rows/s",
            baseline=r["pandas_to_sql_rows_per_s"],
            baseline_name="naive pandas read_sql + to_sql",
            better="higher",
        ),
    ]


# SPEC §2: a row trigger added 16-30 % to a single-row INSERT; statement triggers with
# transition tables made a 100k-row UPDATE 3.4 times slower. Aim lower than both.
SPEC_SINGLE_ROW_INSERT = 1.16
SPEC_BULK_UPDATE = 3.4


def _capture_figures(r: dict[str, Any], scale: float | None) -> list[Figure]:
    unaudited = "unaudited writes"
    figures = []
    for kind in ("insert", "update"):
        c = r["single_row_autocommit"][kind]
        figures.append(
            Figure(
                f"single-row {kind.upper()}, autocommit, p50",
                c["audited"]["p50_us"],
                "µs",
                baseline=c["plain"]["p50_us"],
                baseline_name=unaudited,
                target=SPEC_SINGLE_ROW_INSERT if kind == "insert" else None,
                target_of="ratio",
                source="SPEC: below the row trigger's +16 %" if kind == "insert" else "",
            )
        )
    for kind, c in r["single_row_server_loop"].items():
        figures.append(
            Figure(
                f"single-row {kind.upper()}, server-side loop, best of 5",
                c["audited_us"],
                "µs",
                baseline=c["plain_us"],
                baseline_name=unaudited,
            )
        )
    bulk = r["bulk"]
    for label, key, target in (
        ("INSERT ... SELECT", "insert_select", None),
        ("UPDATE", "update", SPEC_BULK_UPDATE),
    ):
        figures.append(
            Figure(
                f"bulk {label} of {bulk['rows']:,} rows, median of {bulk['repeats']}",
                bulk[key]["audited_s"],
                "s",
                baseline=bulk[key]["plain_s"],
                baseline_name=unaudited,
                target=target,
                target_of="ratio",
                source="SPEC: below statement triggers' 3.4x" if target else "",
            )
        )
    return figures


ANALYTICS_SOURCE = "project target"


def _analytics_figures(r: dict[str, Any], scale: float | None) -> list[Figure]:
    backfill, nightly, query, base = r["backfill"], r["nightly"], r["query"], r["baselines"]
    failed = [n for n, t in backfill["tables"].items() if not t["ok"]]
    failed += [n for n, t in nightly["tables"].items() if not t["ok"]]
    return [
        Figure(
            "backfill: dimensions, 12 facts and 2 aggregates over the year, one run each",
            backfill["seconds"],
            "s",
            target=600,
            target_scale=1.0,
            source=ANALYTICS_SOURCE,
        ),
        Figure(
            "backfill peak RSS",
            backfill["peak_rss_mb"],
            "MB",
            target=1536,
            target_scale=1.0,
            source=ANALYTICS_SOURCE,
        ),
        Figure(
            "nightly: dimensions, the last day of facts, aggregates",
            nightly["seconds"],
            "s",
            target=120,
            target_scale=1.0,
            source=ANALYTICS_SOURCE,
        ),
        Figure("nightly with the 7-day restatement", r["restatement"]["seconds"], "s"),
        Figure(
            "star join (revenue by segment by month), p95",
            query["query"]["p95_ms"],
            "ms",
            baseline=query["without_index"]["p95_ms"],
            baseline_name="same query without its covering index",
            target=200,
            target_scale=1.0,
            source=ANALYTICS_SOURCE,
            note=f"p50 {query['query']['p50_ms']} ms",
        ),
        Figure(
            f"journal lines of the year ({base['rows']:,} rows): platform backfill",
            base["platform_s"],
            "s",
            baseline=base["naive_pandas_s"],
            baseline_name="naive pandas read_sql + to_sql",
        ),
        Figure(
            "journal lines of the year: platform backfill",
            base["platform_s"],
            "s",
            baseline=base["raw_copy_load_s"],
            baseline_name="physical limit: COPY → CSV → LOAD DATA LOCAL",
        ),
        Figure(
            "tables that failed (backfill, nightly)",
            len(failed),
            target=0,
            note=", ".join(sorted(set(failed))),
        ),
    ]


# mysql_implementation_approach.md: "LATENCY: <1 second to audit_db", "THROUGHPUT:
# 1000-5000 events/minute".
SEEDS_AUDIT_LATENCY_S = 1.0
SEEDS_AUDIT_EVENTS_PER_S = 5000 / 60
PROJECT_AUDIT_EVENTS_PER_S = 20_000.0
PROJECT_AUDIT_DRAIN_S = 120.0
PROJECT_VERIFY_ROWS_PER_S = 100_000.0


def _audit_figures(r: dict[str, Any], scale: float | None) -> list[Figure]:
    raw_name = "raw copy of the outbox rows (no hashing, no chain)"
    light, ingest = r["light_mix_single_row_inserts"], r["ingest"]
    figures = [
        Figure(
            f"ingest with chaining, {ingest['events']:,} captured order events",
            ingest["events_per_s"],
            "events/s",
            baseline=r["baseline_raw_copy"]["events_per_s"],
            baseline_name=raw_name,
            better="higher",
            target=SEEDS_AUDIT_EVENTS_PER_S,
            source="seeds: 1000-5000 events/minute",
        ),
        Figure(
            "ingest with chaining against the project's sustained rate",
            ingest["events_per_s"],
            "events/s",
            better="higher",
            target=PROJECT_AUDIT_EVENTS_PER_S,
            source="project target",
        ),
        Figure(
            "a 1,000,000-event backlog drains in",
            round(1_000_000 / ingest["events_per_s"], 1),
            "s",
            target=PROJECT_AUDIT_DRAIN_S,
            source="project target",
        ),
        Figure(
            f"ingest with chaining, {light['events']:,} single-row setting inserts",
            light["events_per_s"],
            "events/s",
            baseline=light["baseline_raw_copy_events_per_s"],
            baseline_name=raw_name,
            better="higher",
        ),
    ]
    verification = r["verification"]
    sha2 = verification.get("mysql_sha2_hashes_only", {}).get("rows_per_s")
    for key, label in (
        ("python_chain_only", "full-chain verification"),
        ("python_with_column_check", "full-chain verification with the column check"),
    ):
        if key in verification:
            figures.append(
                Figure(
                    f"{label}, {verification[key]['rows']:,} rows",
                    verification[key]["rows_per_s"],
                    "rows/s",
                    baseline=sha2,
                    baseline_name="SHA2 of the rows inside MySQL (hashes only)",
                    better="higher",
                    target=PROJECT_VERIFY_ROWS_PER_S if key == "python_chain_only" else None,
                    source="project target" if key == "python_chain_only" else "",
                )
            )
    latency = r.get("latency")
    if latency:
        figures.append(
            Figure(
                "commit to audit row under dagster dev, p95",
                latency["p95_s"],
                "s",
                target=SEEDS_AUDIT_LATENCY_S,
                source="seeds: < 1 second to audit_db",
                note=f"p50 {latency['p50_s']} s, {latency['arrived']}/{latency['events']} "
                "events arrived",
            )
        )
    return figures


def _reporting_figures(r: dict[str, Any], scale: float | None) -> list[Figure]:
    from benchmarks import reporting as rp

    backfill, hourly = r["backfill"], r["hourly"]
    dash, observed, base = r["dashboards"], r["observation"], r["baselines"]
    rows = sum(t["rows"] for t in backfill["tables"].values())
    failed = [n for n, t in backfill["tables"].items() if not t["ok"]]
    failed += [n for n, t in hourly["tables"].items() if not t["ok"]]
    source = "project target"
    figures = [
        Figure(
            "hourly refresh: the open day of the 35 tables (2 runs)",
            round(sum(run["seconds"] for run in hourly["runs"]), 2),
            "s",
            target=rp.HOURLY_TARGET_S,
            target_scale=rp.TARGET_SCALE,
            source=source,
        ),
        Figure("hourly refresh peak RSS (child process)", hourly["peak_rss_mb"], "MB"),
        Figure(
            f"backfill: 35 tables over {r['days']} days, one run each ({rows:,} rows)",
            backfill["seconds"],
            "s",
            target=rp.BACKFILL_TARGET_S,
            target_scale=rp.TARGET_SCALE,
            source=source,
        ),
        Figure(
            "backfill peak RSS (child process)",
            backfill["peak_rss_mb"],
            "MB",
            target=rp.BACKFILL_RSS_TARGET_MB,
            target_scale=rp.TARGET_SCALE,
            source=source,
        ),
        Figure(
            f"backfill of the biggest table, {base['table']} ({base['platform_rows']:,} rows)",
            base["platform_s"],
            "s",
            baseline=base["naive_pandas_s"],
            baseline_name="naive pandas read_sql + to_sql",
        ),
        Figure(
            f"backfill of the biggest table, {base['table']}",
            base["platform_s"],
            "s",
            baseline=base["physical_s"],
            baseline_name="physical limit: COPY → CSV → LOAD DATA LOCAL",
            note=f"driving query of {base['extracts']} extract(s), "
            f"{base['physical_rows']:,} rows copied",
        ),
    ]
    for name, q in dash["queries"].items():
        figures.append(
            Figure(
                f"dashboard query {name} ({q['table']}, {q['rows']} rows), p95",
                q["p95_ms"],
                "ms",
                baseline=dash["round_trip"]["p95_ms"],
                baseline_name="SELECT 1 round trip",
                target=rp.DASHBOARD_P95_TARGET_MS,
                target_scale=rp.TARGET_SCALE,
                source=source,
                note=f"p50 {q['p50_ms']} ms",
            )
        )
    figures += [
        Figure(
            f"observation of one source database, slowest ({observed['slowest']}), p95",
            observed["slowest_p95_s"],
            "s",
            target=rp.OBSERVATION_TARGET_S,
            target_scale=rp.TARGET_SCALE,
            source=source,
            note=f"p50 {observed['slowest_p50_s']} s",
        ),
        Figure(
            "tables that failed (backfill, hourly)",
            len(failed),
            target=0,
            note=", ".join(sorted(set(failed))),
        ),
    ]
    return figures


def _seed_call(module: ModuleType, scale: float | None) -> dict[str, Any]:
    return module.run(scales=(scale,))[scale]


def _scale_call(module: ModuleType, scale: float | None) -> dict[str, Any]:
    return module.run(scale)


def _plain_call(module: ModuleType, scale: float | None) -> dict[str, Any]:
    return module.run()


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "seed_scaling",
        "The simulator: a year of a plant seeded into databases of its own, against a raw "
        "binary COPY of the same rows.",
        _seed_call,
        "benchmarks.seed_scaling",
        True,
        _seed_figures,
    ),
    Benchmark(
        "bulk_load",
        "The platform's load path (chunked COPY into Arrow, staged LOAD DATA, atomic publish) "
        "on 500,000 generated rows.",
        _plain_call,
        "benchmarks.bulk_load",
        False,
        _bulk_figures,
    ),
    Benchmark(
        "capture_overhead",
        "What change capture costs a writer: an audited copy of master.customers against an "
        "identical unaudited one.",
        _plain_call,
        "benchmarks.capture_overhead",
        False,
        _capture_figures,
    ),
    Benchmark(
        "reporting",
        "genims_reporting_db on a seeded plant: hourly refresh of the open day, a year's "
        "backfill, dashboard queries, observation of the sources.",
        _scale_call,
        "benchmarks.reporting",
        True,
        _reporting_figures,
    ),
    Benchmark(
        "analytics",
        "genims_analytics_db on a seeded plant: a year's backfill, the nightly run, the "
        "analysts' star join.",
        _scale_call,
        "benchmarks.analytics",
        True,
        _analytics_figures,
    ),
    Benchmark(
        "audit",
        "The audit pipeline: ingest with hash chaining, full-chain verification, and "
        "commit-to-MySQL latency with the sensor running under dagster dev.",
        _plain_call,
        "benchmarks.audit",
        False,
        _audit_figures,
    ),
    Benchmark(
        "backup",
        "MySQL backups against `mysqldump | gzip`, and restore throughput.",
        call_run,
        "benchmarks.backup",
        None,
    ),
    Benchmark(
        "retention",
        "The retention job over the audit and reporting history.",
        call_run,
        "benchmarks.retention",
        None,
    ),
    Benchmark(
        "report",
        "The daily compliance PDF (target: generated within 10 s).",
        call_run,
        "benchmarks.report",
        None,
    ),
)


def parse_scales(text: str) -> list[float]:
    """`0.1,1,3` as scale factors; each must be a positive number."""
    scales = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a scale factor: {part!r}") from None
        if not value > 0 or math.isinf(value):
            raise argparse.ArgumentTypeError(f"a scale factor must be positive, got {part!r}")
        scales.append(value)
    return scales


def select(entries: Iterable[Benchmark], only: str | None) -> list[Benchmark]:
    """The entries named in `only` (comma-separated), all of them when it is empty."""
    entries = list(entries)
    if not only:
        return entries
    names = [n.strip() for n in only.split(",") if n.strip()]
    known = {e.name for e in entries}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return [e for e in entries if e.name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales",
        type=parse_scales,
        default=list(DEFAULT_SCALES),
        help="scale factors of the scaled benchmarks, comma-separated (default 0.1,1)",
    )
    parser.add_argument("--only", default="", help="benchmarks to run, comma-separated")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the reports go")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a benchmark FAILED"
    )
    args = parser.parse_args(argv)
    if args.list:
        for entry in BENCHMARKS:
            print(f"{entry.name:<18} {entry.description}")
        return 0
    try:
        entries = select(BENCHMARKS, args.only)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    started = datetime.now(UTC)
    load_start = _load()
    clock = time.perf_counter()
    outcomes = run_benchmarks(entries, args.scales, log=lambda m: print(m, flush=True))
    meta = {
        "stamp": started.strftime("%Y%m%dT%H%M%SZ"),
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - clock, 1),
        "scales": args.scales,
        "only": [e.name for e in entries],
        "commit": _commit(),
        "host": {
            "cpus": os.cpu_count(),
            "load_start": load_start,
            "load_end": _load(),
            "python": f"Python {platform.python_version()}",
            "platform": platform.platform(),
            **_versions(),
        },
    }
    document = report_document(outcomes, meta, entries)
    markdown_path, json_path = write_report(document, args.out)
    failed = [o.name for o in outcomes if o.status == "FAILED"]
    print(f"report: {markdown_path} and {json_path}; FAILED: {', '.join(failed) or 'none'}")
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
