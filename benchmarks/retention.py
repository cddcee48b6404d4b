"""Audit purge throughput, against a plain DELETE of the same number of rows in the same run.

* baseline: one ``DELETE FROM security_event_log WHERE stream_id = ...`` of N expired rows in a
  declared purge session (the append-only trigger checks every row, as it does for the job);
* the platform: `run_retention` on another stream of N identical expired rows: plan (walk of the
  stream), archive (read, every hash recomputed, gzip JSON-lines uploaded to blob storage),
  then chunks of `--chunk-rows` rows, each in its own transaction with the stream's head locked
  and a RETENTION_CHECKPOINT appended, and every action recorded in data_retention_schedule.

Both streams are created with `append_chained` in a scratch audit database; the archive goes to
Azurite (``--store memory`` keeps it in memory, to see the cost of the upload).
Run: `.venv/bin/python -m benchmarks.retention --rows 50000`.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

from genims_platform.audit.chain import (
    ChainedRow,
    append_chained,
    begin_append,
    lock_heads,
    save_heads,
)
from genims_platform.audit.events import COLUMNS, SECURITY
from genims_platform.lib import mysql
from genims_platform.lib.blob import AzureBlobStore, MemoryBlobStore
from genims_platform.lib.resources import MySQLDatabase, dispose_pools
from genims_platform.settings import Settings, load_settings

AUDIT_DB = "genims_bench_retention_audit"
CONTAINER = "genims-bench-retention"


def _settings() -> Settings:
    return load_settings({**os.environ, "MYSQL_AUDIT_DB": AUDIT_DB})


def _database(settings: Settings) -> MySQLDatabase:
    target = settings.target("audit")
    return MySQLDatabase(
        logical="audit",
        database=target.database,
        host=target.host,
        port=target.port,
        user=target.user,
        password=target.password,
    )


def _prepare(settings: Settings) -> None:
    from genims_platform.audit.security import apply_security
    from genims_platform.targets import init_target

    dispose_pools()
    with mysql.connect(settings.target("audit"), database=None, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(AUDIT_DB)}")
    init_target(settings, "audit")
    apply_security(settings)


def _append(db: MySQLDatabase, stream: str, rows: int, created: datetime) -> None:
    feed = stream.split("/", 1)[1][:32]
    values = (
        ChainedRow(
            stream,
            {
                "event_timestamp": created,
                "event_type": "AUTH_FAILURE",
                "rule_name": "retention_benchmark",
                "user_id": f"user-{i % 500}",
                "username": f"operator {i % 500}",
                "resource_accessed": f"/plant/line/{i % 40}",
                "ip_address": f"10.0.{i % 250}.{i % 200}",
                "severity": "LOW",
                "action_taken": "RECORDED",
                "details": None,
                "source_db": feed,
                "source_database": "none",
                "source_generation": 1,
                "source_event_id": i + 1,
                "transaction_id": i,
                "created_at": created + timedelta(microseconds=i),
            },
        )
        for i in range(rows)
    )
    with db.connect() as conn:
        begin_append(conn)
        with conn.cursor() as cur:
            heads = lock_heads(cur, {stream: SECURITY})
            append_chained(
                cur,
                SECURITY,
                COLUMNS[SECURITY],
                values,
                heads,
                load_data=db.local_infile_allowed(),
            )
            save_heads(cur, heads.values(), datetime.now(UTC))
        conn.commit()


def run(rows: int = 50_000, chunk_rows: int = 5000, store: str = "azurite") -> dict[str, float]:
    # Imported before the clock starts: module loading is not purge time.
    import genims_platform.operations.audit_retention
    import genims_platform.operations.legal_holds
    import genims_platform.reporting.tables  # noqa: F401
    from genims_platform.operations.retention import (
        RetentionRequest,
        dedicated_connection,
        run_retention,
    )

    settings = _settings()
    _prepare(settings)
    db = _database(settings)
    created = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=2555 + 30)
    plain, job = f"{SECURITY}/plain", f"{SECURITY}/job"
    _append(db, plain, rows, created)
    _append(db, job, rows, created)

    with dedicated_connection(db) as conn, conn.cursor() as cur:
        cur.execute("SET @genims_retention_purge = 'on'")
        started = time.perf_counter()
        deleted = cur.execute(f"DELETE FROM {SECURITY} WHERE stream_id = %s", (plain,))
        conn.commit()
        plain_s = time.perf_counter() - started
    assert deleted == rows, deleted

    blobs = (
        MemoryBlobStore() if store == "memory" else AzureBlobStore(settings.azure_connection_string)
    )
    started = time.perf_counter()
    report = run_retention(
        db,
        None,
        blobs,
        chunk_rows=chunk_rows,
        reporting_months=12,
        archive_container=CONTAINER,
        backup_container=f"{CONTAINER}-backups",
        request=RetentionRequest(targets=("audit",), tables=(SECURITY,)),
        run_id=f"bench-{uuid.uuid4().hex[:8]}",
        performed_by="retention benchmark",
        streams=lambda s: s == job,
    )
    job_s = time.perf_counter() - started
    purged = report.rows("PURGED")
    assert purged == rows and not report.failed, (purged, report.failed)
    archived = sum(a.details.get("size_bytes", 0) for a in report.actions if a.status == "ARCHIVED")
    dispose_pools()
    return {
        "rows": rows,
        "chunk_rows": chunk_rows,
        "plain_delete_rows_per_s": round(rows / plain_s, 1),
        "retention_purge_rows_per_s": round(purged / job_s, 1),
        "ratio_purge_to_plain_delete": round((purged / job_s) / (rows / plain_s), 3),
        "plain_delete_s": round(plain_s, 3),
        "retention_purge_s": round(job_s, 3),
        "archive_bytes": archived,
        "archive_bytes_per_row": round(archived / purged, 1),
        "checkpoints": len(range(0, rows, chunk_rows)),
    }


def report_figures(result: dict[str, float]) -> list[dict]:
    """The figures `make bench` reports (benchmarks/run.py), next to the plain DELETE."""
    rows = f"{result['rows']:,} seven-year-old rows, {result['chunk_rows']:,} per chunk"
    return [
        {
            "name": f"retention purge: archive to blob storage, checkpoint, delete ({rows})",
            "value": result["retention_purge_rows_per_s"],
            "unit": "/s",
            "better": "higher",
            "baseline": result["plain_delete_rows_per_s"],
            "baseline_name": "one plain DELETE of the same rows",
        },
        {
            "name": "retention purge wall time",
            "value": result["retention_purge_s"],
            "unit": "s",
            "baseline": result["plain_delete_s"],
            "baseline_name": "one plain DELETE of the same rows",
        },
        {
            "name": "compressed archive per row",
            "value": result["archive_bytes_per_row"],
            "unit": "B",
            "note": f"{result['archive_bytes']:,} B in all; {result['checkpoints']} checkpoints",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--chunk-rows", type=int, default=5000)
    parser.add_argument("--store", choices=["azurite", "memory"], default="azurite")
    args = parser.parse_args()
    result = run(args.rows, args.chunk_rows, args.store)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
