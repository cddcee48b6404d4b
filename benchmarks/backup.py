"""Backups and restores of a MySQL database, against baselines measured in the same run.

A reporting-shaped database of its own (``genims_bench_backup``: one 1M-row daily KPI table and
a 100k-row second table by default) is

(a) backed up by the platform (`take_backup`: consistent snapshot, row counts and CHECKSUM
    TABLE of every table, dump streamed through gzip level 1 and SHA-256 into Azurite, manifest)
    and, alternately, by the baseline ``mysqldump <same options> <db> | gzip > file`` (gzip's
    default level 6, local file): each path twice, the faster run of each counts;
(b) restored by the platform's verification (`verify_backup`: download, SHA-256, gunzip into
    the command-line client, CHECKSUM TABLE and row counts of the restored copy compared with
    the manifest, scratch database dropped) and by the baseline ``gunzip < file | mysql <db>``.

Throughput is megabytes of uncompressed SQL per second (the same dump for both paths) and
rows per second. The target is backup throughput >= 0.9 x the baseline.
Run: ``python -m benchmarks.backup [--rows 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import tempfile
import time
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from genims_platform.lib import mysql
from genims_platform.lib.blob import AzureBlobStore
from genims_platform.operations.backup_dump import (
    client_command,
    credentials_file,
    dump_command,
    find_tool,
    take_backup,
)
from genims_platform.operations.backup_restore import verify_backup
from genims_platform.operations.backup_retention import RetentionPolicy
from genims_platform.settings import MySqlTarget, Settings, load_settings

DATABASE = "genims_bench_backup"
CONTAINER = "genims-bench-backup"
TARGET_RATIO = 0.9

KPI_TABLE = """
CREATE TABLE kpi_daily (
    date DATE NOT NULL, product_id BIGINT NOT NULL, product_name VARCHAR(200) NULL,
    category VARCHAR(100) NULL, units_sold DECIMAL(16,3) NOT NULL,
    revenue_total DECIMAL(16,2) NOT NULL, average_price DECIMAL(16,4) NULL,
    margin_ratio DECIMAL(15,6) NULL, updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (date, product_id), KEY idx_kpi_product (product_id, date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
"""

EVENTS_TABLE = """
CREATE TABLE machine_events (
    event_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, machine_id INT NOT NULL,
    event_at DATETIME(6) NOT NULL, state VARCHAR(32) NOT NULL, payload TEXT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
"""


def _target(settings: Settings) -> MySqlTarget:
    from dataclasses import replace

    return replace(settings.target("reporting"), database=DATABASE)


def _prepare(settings: Settings, rows: int) -> dict[str, int]:
    """The database, filled by doubling INSERT ... SELECT (portable, server-side)."""
    target = _target(settings)
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cur.execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
        cur.execute(f"USE {DATABASE}")
        cur.execute(KPI_TABLE)
        cur.execute(EVENTS_TABLE)
        # Rows generated server-side from a 1,000-row digits table (no self-referencing
        # INSERT ... SELECT, which would need a temporary table).
        cur.execute("CREATE TABLE bench_digits (n INT PRIMARY KEY) ENGINE=InnoDB")
        cur.executemany("INSERT INTO bench_digits VALUES (%s)", [(n,) for n in range(1000)])
        for block in range(0, rows, 1_000_000):
            cur.execute(
                "INSERT INTO kpi_daily SELECT DATE '2024-01-01' + INTERVAL (i %% 500) DAY, i, "
                "CONCAT('Product ', i, ' ', CHAR(34), 'grade ', i %% 7, CHAR(34)), "
                "CONCAT('category ', i %% 13), "
                "i %% 997 + 0.125, i * 3.5, 3.5, 0.25, '2025-01-01 00:00:00' "
                "FROM (SELECT %s + a.n * 1000 + b.n AS i FROM bench_digits AS a "
                "CROSS JOIN bench_digits AS b) AS q WHERE i < %s",
                (block, rows),
            )
        cur.execute("DROP TABLE bench_digits")
        count = rows
        events = max(rows // 10, 1000)
        cur.execute(
            "INSERT INTO machine_events (machine_id, event_at, state, payload) "
            "SELECT product_id %% 400, updated_at + INTERVAL product_id SECOND, "
            "ELT(1 + product_id %% 3, 'RUNNING', 'IDLE', 'DOWN'), product_name "
            "FROM kpi_daily WHERE product_id < %s",
            (events,),
        )
    return {"kpi_daily": count, "machine_events": events}


def _baseline_backup(target: MySqlTarget, path: str) -> float:
    tool = find_tool("dump")
    with credentials_file(target, tool) as defaults:
        command = " ".join(shlex.quote(p) for p in dump_command(tool, defaults, DATABASE))
        started = time.perf_counter()
        subprocess.run(
            f"set -o pipefail; {command} | gzip > {shlex.quote(path)}",
            shell=True,  # the baseline is literally a shell pipeline
            executable="/bin/bash",
            check=True,
        )
        return time.perf_counter() - started


def _baseline_restore(target: MySqlTarget, path: str, into: str) -> float:
    tool = find_tool("client")
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {into}")
        cur.execute(f"CREATE DATABASE {into} CHARACTER SET utf8mb4")
    try:
        with credentials_file(target, tool) as defaults:
            command = " ".join(shlex.quote(p) for p in client_command(tool, defaults, into))
            started = time.perf_counter()
            subprocess.run(
                f"set -o pipefail; gunzip < {shlex.quote(path)} | {command}",
                shell=True,  # the baseline is literally a shell pipeline
                executable="/bin/bash",
                check=True,
            )
            return time.perf_counter() - started
    finally:
        with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {into}")


def run(settings: Settings | None = None, rows: int = 1_000_000) -> dict[str, Any]:
    settings = settings or load_settings()
    target = _target(settings)
    store = AzureBlobStore(settings.azure_connection_string)
    tables = _prepare(settings, rows)
    total_rows = sum(tables.values())
    fd, path = tempfile.mkstemp(suffix=".sql.gz")
    os.close(fd)
    baseline_s, platform_s, results = [], [], []
    try:
        for _ in range(2):
            baseline_s.append(_baseline_backup(target, path))
            result = take_backup(
                target,
                store,
                CONTAINER,
                logical="reporting",
                policy=RetentionPolicy(),
                now=datetime.now(UTC),
            )
            platform_s.append(result.seconds)
            results.append(result)
        best = results[platform_s.index(min(platform_s))]
        sql_mb = best.sql_bytes / 1e6
        baseline_file_mb = os.path.getsize(path) / 1e6
        verification = verify_backup(target, store, CONTAINER, best.name, recorded=None)
        if not verification.passed:
            raise RuntimeError("restore verification failed: " + "; ".join(verification.problems))
        restore_baseline_s = _baseline_restore(target, path, f"{DATABASE}_baseline_restore")
    finally:
        os.unlink(path)
        with mysql.connect(target, database=None, autocommit=True) as conn:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        from azure.core.exceptions import ResourceNotFoundError
        from azure.storage.blob import BlobServiceClient

        service = BlobServiceClient.from_connection_string(settings.azure_connection_string)
        with suppress(ResourceNotFoundError):
            service.delete_container(CONTAINER)
    backup_mb_s = sql_mb / min(platform_s)
    baseline_mb_s = sql_mb / min(baseline_s)
    restore_mb_s = verification.load.sql_mb_per_s
    restore_baseline_mb_s = sql_mb / restore_baseline_s
    return {
        "rows": total_rows,
        "sql_mb": round(sql_mb, 1),
        "backup": {
            "seconds": round(min(platform_s), 2),
            "sql_mb_per_s": round(backup_mb_s, 1),
            "rows_per_s": round(total_rows / min(platform_s)),
            "blob_mb": round(best.size_bytes / 1e6, 1),
            "compression_ratio": round(best.size_bytes / best.sql_bytes, 3),
            "lock_held_ms": round(best.lock_held_s * 1000, 1),
            "runs_seconds": [round(s, 2) for s in platform_s],
        },
        "baseline_mysqldump_gzip": {
            "seconds": round(min(baseline_s), 2),
            "sql_mb_per_s": round(baseline_mb_s, 1),
            "rows_per_s": round(total_rows / min(baseline_s)),
            "file_mb": round(baseline_file_mb, 1),
            "runs_seconds": [round(s, 2) for s in baseline_s],
        },
        "backup_vs_baseline": round(backup_mb_s / baseline_mb_s, 2),
        "target_backup_vs_baseline": TARGET_RATIO,
        "restore_verification": {
            "seconds": round(verification.seconds, 2),
            "load_seconds": round(verification.load.seconds, 2),
            "sql_mb_per_s": round(restore_mb_s, 1),
            "rows_per_s": round(total_rows / verification.load.seconds),
        },
        "baseline_gunzip_mysql": {
            "seconds": round(restore_baseline_s, 2),
            "sql_mb_per_s": round(restore_baseline_mb_s, 1),
            "rows_per_s": round(total_rows / restore_baseline_s),
        },
        "restore_vs_baseline": round(restore_mb_s / restore_baseline_mb_s, 2),
    }


def report_figures(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures `benchmarks.run` reports, each next to its same-run baseline."""
    backup, base = result["backup"], result["baseline_mysqldump_gzip"]
    restore, rbase = result["restore_verification"], result["baseline_gunzip_mysql"]
    return [
        {
            "name": "backup SQL throughput",
            "value": backup["sql_mb_per_s"],
            "unit": "MB/s",
            "baseline": base["sql_mb_per_s"],
            "baseline_name": "mysqldump | gzip > file",
            "better": "higher",
            "target": TARGET_RATIO,
            "target_of": "ratio",
        },
        {
            "name": "backup rows",
            "value": backup["rows_per_s"],
            "unit": "/s",
            "baseline": base["rows_per_s"],
            "baseline_name": "mysqldump | gzip > file",
            "better": "higher",
        },
        {
            "name": "restore (verification) SQL throughput",
            "value": restore["sql_mb_per_s"],
            "unit": "MB/s",
            "baseline": rbase["sql_mb_per_s"],
            "baseline_name": "gunzip < file | mysql",
            "better": "higher",
        },
        {
            "name": "restore (verification) rows",
            "value": restore["rows_per_s"],
            "unit": "/s",
            "baseline": rbase["rows_per_s"],
            "baseline_name": "gunzip < file | mysql",
            "better": "higher",
        },
        {"name": "writes held back while the snapshots start", "value": backup["lock_held_ms"],
         "unit": "ms"},
    ]  # fmt: skip


def markdown(result: dict[str, Any]) -> str:
    b, base = result["backup"], result["baseline_mysqldump_gzip"]
    r, rbase = result["restore_verification"], result["baseline_gunzip_mysql"]
    return "\n".join(
        [
            f"database: {result['rows']:,} rows, {result['sql_mb']} MB of SQL",
            f"backup (snapshot figures + gzip-1 + SHA-256 + upload to Azurite): "
            f"{b['sql_mb_per_s']} MB/s, {b['rows_per_s']:,} rows/s ({b['seconds']} s; "
            f"blob {b['blob_mb']} MB, ratio {b['compression_ratio']}; writes held "
            f"{b['lock_held_ms']} ms)",
            f"baseline mysqldump | gzip > file: {base['sql_mb_per_s']} MB/s, "
            f"{base['rows_per_s']:,} rows/s ({base['seconds']} s; file {base['file_mb']} MB)",
            f"backup / baseline = {result['backup_vs_baseline']} "
            f"(target >= {result['target_backup_vs_baseline']})",
            f"restore verification (download, SHA-256, gunzip | client, compare, drop): load "
            f"{r['sql_mb_per_s']} MB/s, {r['rows_per_s']:,} rows/s ({r['load_seconds']} s; "
            f"whole verification {r['seconds']} s)",
            f"baseline gunzip < file | mysql: {rbase['sql_mb_per_s']} MB/s, "
            f"{rbase['rows_per_s']:,} rows/s ({rbase['seconds']} s)",
            f"restore / baseline = {result['restore_vs_baseline']}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    result = run(rows=args.rows)
    print(markdown(result))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
