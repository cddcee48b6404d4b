"""Verification of the hash chains, and the digests exported outside MySQL.

* Incremental (`record_incremental`), inside every append transaction: MySQL recomputes the
  hash of every row just appended from the stored bytes and checks each link, and the row the
  stream ended on before (the last row of the previous batch) must still carry the hash the
  head remembers. Recorded as one INCREMENTAL row of `audit_trail_integrity`.
* Full (`verify_all`), daily: every stream of every audit table is streamed in order and each
  row hash recomputed in Python from the stored canonical bytes (independently of MySQL's own
  SHA2), checking positions (gaps, reordering), links, the head, and that every stored column
  equals its value in the hashed payload (an edited column is caught even if the payload was
  left alone). Streams that start after seq 1 must start at a retention checkpoint; a stream
  with no row left must end at one (the retention job purged all of it).
* Digests (`export_digest`, `verify_digests`), hourly: the heads of all streams as canonical
  JSON, chained to the previous digest, written to blob storage that the database's
  administrators cannot change (WORM in production). A chain rewritten consistently from some
  row on (all hashes recomputed, head updated) verifies internally, but no longer contains the
  (seq, hash) an exported digest recorded: only the digest catches it.
"""

# SQL here is composed only from identifiers of the platform's own catalogue (through
# quote_ident); every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pymysql
import pymysql.cursors

from genims_platform.audit.canonical import (
    GENESIS_HASH,
    SQL_ROW_HASH,
    UtcText,
    canonical_json,
    canonical_value,
    row_hash,
    sha256_bytes,
    utc_text,
)
from genims_platform.lib.blob import BlobStore
from genims_platform.lib.mysql import quote_ident

INTEGRITY = "audit_trail_integrity"
DIGEST_FORMAT = "genims-audit-digest-v1"
INTEGRITY_COLUMNS = (
    "verification_timestamp",
    "verification_type",
    "verified_stream",
    "audit_log_id",
    "from_seq",
    "head_hash_sha256",
    "rows_verified",
    "streams_verified",
    "verification_status",
    "problems",
    "details",
    "digest_sha256",
    "digest_location",
    "verified_by",
    "duration_ms",
    "created_at",
)


@dataclass
class StreamReport:
    stream_id: str
    table: str
    first_seq: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    rows: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class VerificationReport:
    """Outcome of a verification: VALID when no problem was found."""

    kind: str
    streams: list[StreamReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0
    digest_sha256: str | None = None
    digest_location: str | None = None

    @property
    def status(self) -> str:
        return "VALID" if not self.all_problems else "TAMPERED"

    @property
    def all_problems(self) -> list[str]:
        return [*self.problems, *(p for s in self.streams for p in s.problems)]

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _integrity_row(report: VerificationReport, now: datetime, verified_by: str, **overrides):
    single = report.streams[0] if len(report.streams) == 1 else None
    details = canonical_json(
        {
            "streams": [
                {
                    "stream": s.stream_id,
                    "from_seq": s.first_seq,
                    "to_seq": s.last_seq,
                    "head_hash": s.last_hash,
                    "rows": s.rows,
                }
                for s in report.streams
            ]
        }
    )
    values = {
        "verification_timestamp": utc_text(now),
        "verification_type": report.kind,
        "verified_stream": single.stream_id if single else None,
        "audit_log_id": single.last_seq if single else None,
        "from_seq": single.first_seq if single else None,
        "head_hash_sha256": single.last_hash if single else None,
        "rows_verified": report.rows,
        "streams_verified": len(report.streams),
        "verification_status": report.status,
        "problems": "\n".join(report.all_problems)[:60000] or None,
        "details": details,
        "digest_sha256": report.digest_sha256,
        "digest_location": report.digest_location,
        "verified_by": verified_by[:255],
        "duration_ms": int(report.seconds * 1000),
        "created_at": utc_text(now),
    }
    values.update(overrides)
    return values


def write_integrity(cur, values_list: Iterable[dict], part: str, now: datetime) -> None:
    """Append rows to audit_trail_integrity (stream audit_trail_integrity/<part>)."""
    from genims_platform.audit.chain import ChainedRow, append_chained, lock_heads, save_heads

    stream = f"{INTEGRITY}/{part}"
    heads = lock_heads(cur, {stream: INTEGRITY})
    append_chained(
        cur, INTEGRITY, INTEGRITY_COLUMNS, [ChainedRow(stream, v) for v in values_list], heads
    )
    save_heads(cur, heads.values(), now)


def record_incremental(
    cur, heads: Iterable, now: datetime, *, part: str | None = None, verified_by: str = "ingest"
) -> VerificationReport:
    """Verify, inside the append transaction, what was just appended; record it."""
    started = time.perf_counter()
    report = VerificationReport("INCREMENTAL")
    for head in heads:
        if not head.appended or head.table_name == INTEGRITY:
            continue
        s = StreamReport(
            head.stream_id,
            head.table_name,
            head.start_seq + 1,
            head.last_seq,
            head.last_hash,
            head.appended,
        )
        table = quote_ident(head.table_name)
        cur.execute(
            f"SELECT COUNT(*), COALESCE(SUM(c.hash_sha256 <> {SQL_ROW_HASH.format(a='c.')}), 0), "
            "COALESCE(SUM(c.previous_hash_sha256 <> COALESCE(p.hash_sha256, %s)), 0) "
            f"FROM {table} AS c LEFT JOIN {table} AS p ON p.stream_id = c.stream_id "
            "AND p.stream_seq = c.stream_seq - 1 "
            "WHERE c.stream_id = %s AND c.stream_seq > %s AND c.stream_seq <= %s",
            (
                head.start_hash if head.start_seq else GENESIS_HASH,
                head.stream_id,
                head.start_seq,
                head.last_seq,
            ),
        )
        count, bad_hash, bad_link = (int(x) for x in cur.fetchone())
        if count != head.appended:
            s.problems.append(f"{head.stream_id}: {count} of {head.appended} rows read back")
        if bad_hash:
            s.problems.append(f"{head.stream_id}: {bad_hash} row(s) do not match their hash")
        if bad_link:
            s.problems.append(f"{head.stream_id}: {bad_link} broken link(s)")
        if head.start_seq:
            cur.execute(
                f"SELECT hash_sha256 FROM {table} WHERE stream_id = %s AND stream_seq = %s",
                (head.stream_id, head.start_seq),
            )
            row = cur.fetchone()
            # A stream the retention job purged entirely (tail included) left a checkpoint.
            purged = row is None and _purged_up_to(
                cur, head.stream_id, head.start_seq, head.start_hash
            )
            if not purged and (row is None or row[0] != head.start_hash):
                s.problems.append(
                    f"{head.stream_id}: the last row of the previous batch (seq "
                    f"{head.start_seq}) was {'deleted' if row is None else 'altered'}"
                )
        report.streams.append(s)
        report.rows += count
    report.seconds = time.perf_counter() - started
    if report.streams:
        part = part or report.streams[0].table
        write_integrity(cur, [_integrity_row(report, now, verified_by)], part, now)
    if report.all_problems:
        from genims_platform.audit.chain import ChainError

        raise ChainError(
            "incremental verification failed, the batch was rolled back: "
            + "; ".join(report.all_problems)
        )
    return report


def chained_tables(cur) -> list[str]:
    """Every table of the current database that carries a hash chain."""
    cur.execute(
        "SELECT TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        "AND COLUMN_NAME = 'canonical_payload' ORDER BY TABLE_NAME"
    )
    return [r[0] for r in cur.fetchall()]


def stored_columns(cur, table: str) -> list[str]:
    """Columns whose values are hashed: stored, not generated, not the surrogate id, not
    the chain columns themselves."""
    from genims_platform.audit.chain import CHAIN_COLUMNS

    cur.execute(
        "SELECT COLUMN_NAME, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
        " AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION",
        (table,),
    )
    out = []
    for name, extra in cur.fetchall():
        extra = (extra or "").lower()
        if name in CHAIN_COLUMNS or "auto_increment" in extra or "generated" in extra:
            continue
        if name == "updated_at":
            continue
        out.append(name)
    return out


def _checkpoints(cur) -> dict[str, tuple[int, str]]:
    """Retention checkpoints: stream -> (last purged seq, its hash)."""
    cur.execute(
        "SELECT verified_stream, audit_log_id, head_hash_sha256 FROM audit_trail_integrity "
        "WHERE verification_type = 'RETENTION_CHECKPOINT' AND verification_status = 'VALID' "
        "ORDER BY verified_stream, audit_log_id"
    )
    return {r[0]: (int(r[1]), r[2]) for r in cur.fetchall()}


def _purged_up_to(cur, stream_id: str, seq: int, digest: str) -> bool:
    """Whether a retention checkpoint records that `stream_id` was purged up to row `seq`
    carrying `digest`."""
    cur.execute(
        "SELECT 1 FROM audit_trail_integrity WHERE verification_type = 'RETENTION_CHECKPOINT' "
        "AND verification_status = 'VALID' AND verified_stream = %s AND audit_log_id = %s "
        "AND head_hash_sha256 = %s LIMIT 1",
        (stream_id, seq, digest),
    )
    return cur.fetchone() is not None


def _heads(cur) -> dict[str, tuple[str, int, str]]:
    cur.execute("SELECT stream_id, table_name, last_seq, last_hash FROM audit_chain_head")
    return {r[0]: (r[1], int(r[2]), r[3]) for r in cur.fetchall()}


def verify_table(
    conn: pymysql.connections.Connection,
    table: str,
    heads: dict[str, tuple[str, int, str]],
    checkpoints: dict[str, tuple[int, str]],
    *,
    columns: bool = True,
) -> list[StreamReport]:
    """Recompute every row of `table`, stream by stream, in seq order."""
    with conn.cursor() as cur:
        names = stored_columns(cur, table) if columns else []
    select = ", ".join(quote_ident(c) for c in names)
    sql = (
        "SELECT stream_id, stream_seq, previous_hash_sha256, hash_sha256, "
        f"CAST(canonical_payload AS BINARY){', ' + select if select else ''} "
        f"FROM {quote_ident(table)} ORDER BY stream_id, stream_seq"
    )
    reports: dict[str, StreamReport] = {}
    current: StreamReport | None = None
    expected_seq, prev = 1, GENESIS_HASH
    cur = conn.cursor(pymysql.cursors.SSCursor)
    try:
        cur.execute(sql)
        for row in cur.fetchall_unbuffered():
            stream_id, seq, previous, digest, payload = row[0], int(row[1]), row[2], row[3], row[4]
            if current is None or stream_id != current.stream_id:
                current = StreamReport(stream_id, table, first_seq=seq)
                reports[stream_id] = current
                expected_seq, prev = 1, GENESIS_HASH
                checkpoint = checkpoints.get(stream_id)
                if seq != 1:
                    if checkpoint and checkpoint[0] == seq - 1:
                        expected_seq, prev = seq, checkpoint[1]
                    else:
                        current.problems.append(
                            f"{stream_id}: starts at seq {seq}; rows 1..{seq - 1} are missing "
                            "and no retention checkpoint covers them"
                        )
                        expected_seq, prev = seq, previous
            if seq != expected_seq:
                current.problems.append(
                    f"{stream_id}: seq {expected_seq}..{seq - 1} missing (rows deleted or "
                    "reordered)"
                    if seq > expected_seq
                    else f"{stream_id}: seq {seq} repeated"
                )
            if previous != prev:
                current.problems.append(
                    f"{stream_id}: seq {seq} does not link to the row before it"
                )
            if row_hash(stream_id, seq, previous, payload) != digest:
                current.problems.append(
                    f"{stream_id}: seq {seq} does not match its hash (payload or position altered)"
                )
            if names:
                problem = _column_mismatch(names, row[5:], payload)
                if problem:
                    current.problems.append(f"{stream_id}: seq {seq}: {problem}")
            expected_seq, prev = seq + 1, digest
            current.last_seq, current.last_hash = seq, digest
            current.rows += 1
    finally:
        cur.close()
    for stream_id, (head_table, last_seq, last_hash) in heads.items():
        if head_table != table:
            continue
        found = reports.get(stream_id)
        if found is None:
            if last_seq and checkpoints.get(stream_id) != (last_seq, last_hash):
                found = StreamReport(stream_id, table)
                found.problems.append(
                    f"{stream_id}: the head says {last_seq} rows, the table has none"
                )
                reports[stream_id] = found
            continue
        if (found.last_seq, found.last_hash) != (last_seq, last_hash):
            found.problems.append(
                f"{stream_id}: ends at seq {found.last_seq}, the head says {last_seq} "
                "(tail truncated, or rows added behind the chain's back)"
                if found.last_seq != last_seq
                else f"{stream_id}: the last row's hash differs from the head"
            )
    for stream_id, found in reports.items():
        if stream_id not in heads:
            found.problems.append(f"{stream_id}: rows without a chain head")
    return list(reports.values())


def _column_mismatch(names: list[str], values: tuple, payload: bytes) -> str | None:
    try:
        document = json.loads(payload)
    except ValueError:
        return "the payload is not valid JSON"
    for name, value in zip(names, values, strict=True):
        if name not in document:
            return f"column {name} is not in the payload"
        if canonical_value(value) != document[name]:
            return f"column {name} differs from the hashed payload"
    return None


def verify_all(
    conn: pymysql.connections.Connection,
    *,
    tables: Iterable[str] | None = None,
    columns: bool = True,
    kind: str = "FULL",
) -> VerificationReport:
    """Full verification of every chained table (or `tables`)."""
    started = time.perf_counter()
    report = VerificationReport(kind)
    with conn.cursor() as cur:
        names = list(tables) if tables is not None else chained_tables(cur)
        heads = _heads(cur)
        checkpoints = _checkpoints(cur)
    conn.commit()
    for table in names:
        for s in verify_table(conn, table, heads, checkpoints, columns=columns):
            report.streams.append(s)
            report.rows += s.rows
    # End the read transaction, so the caller can start its append with its own isolation.
    conn.commit()
    report.seconds = time.perf_counter() - started
    return report


def record(
    conn: pymysql.connections.Connection,
    report: VerificationReport,
    *,
    verified_by: str,
    now: datetime | None = None,
) -> None:
    """Append the outcome of a full or digest verification (stream audit_trail_integrity/
    platform); per-stream details are in the `details` column."""
    from genims_platform.audit.chain import begin_append

    now = now or datetime.now(UTC)
    begin_append(conn)
    with conn.cursor() as cur:
        write_integrity(cur, [_integrity_row(report, now, verified_by)], "platform", now)
    conn.commit()


def digest_document(conn, database: str, now: datetime) -> tuple[dict[str, Any], str | None]:
    """The heads of all streams, and the hash of the previous exported digest."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT stream_id, table_name, last_seq, last_hash FROM audit_chain_head "
            "WHERE last_seq > 0 ORDER BY stream_id"
        )
        streams = {r[0]: {"table": r[1], "seq": int(r[2]), "hash": r[3]} for r in cur.fetchall()}
        cur.execute(
            "SELECT digest_sha256 FROM audit_trail_integrity "
            "WHERE verification_type = 'DIGEST_EXPORT' ORDER BY created_at DESC, stream_seq DESC "
            "LIMIT 1"
        )
        row = cur.fetchone()
    conn.commit()
    previous = row[0] if row else None
    document = {
        "format": DIGEST_FORMAT,
        "database": database,
        "created_at": utc_text(now),
        "previous_digest_sha256": previous,
        "streams": streams,
    }
    return document, previous


def digest_name(database: str, now: datetime) -> str:
    stamp = now.astimezone(UTC)
    return f"{database}/{stamp:%Y/%m/%d}/{stamp:%Y%m%dT%H%M%S%fZ}.json"


def export_digest(
    conn, blob: BlobStore, container: str, database: str, *, now: datetime | None = None
) -> VerificationReport:
    """Write the current digest to blob storage (never overwriting) and record it."""
    now = now or datetime.now(UTC)
    started = time.perf_counter()
    document, _previous = digest_document(conn, database, now)
    text = canonical_json(document).encode("utf-8")
    name = digest_name(database, now)
    blob.ensure_container(container)
    blob.put(container, name, text, metadata={"format": DIGEST_FORMAT}, overwrite=False)
    report = VerificationReport("DIGEST_EXPORT", rows=len(document["streams"]))
    report.digest_sha256 = sha256_bytes(text)
    report.digest_location = f"{container}/{name}"
    report.seconds = time.perf_counter() - started
    record(conn, report, verified_by="digest export", now=now)
    return report


def verify_digests(
    conn,
    blob: BlobStore,
    container: str,
    database: str,
    *,
    last: int | None = 24,
    now: datetime | None = None,
) -> VerificationReport:
    """Check that the rows the exported digests recorded still carry the recorded hashes.

    With a chain that verifies internally, the latest digest proves everything up to its
    heads; `last` digests (None: all) are checked, together with the links between them.
    """
    started = time.perf_counter()
    report = VerificationReport("DIGEST_CHECK")
    listed = sorted(blob.list(container, prefix=f"{database}/"), key=lambda b: b.name)
    chosen = listed if last is None else listed[-last:]
    with conn.cursor() as cur:
        checkpoints = _checkpoints(cur)
        previous_hash: str | None = None
        for index, info in enumerate(chosen):
            data = blob.get(container, info.name)
            digest = sha256_bytes(data)
            if info.sha256 and info.sha256 != digest:
                report.problems.append(f"digest {info.name}: content does not match its sha256")
            document = json.loads(data)
            if index > 0 and document.get("previous_digest_sha256") != previous_hash:
                report.problems.append(f"digest {info.name}: does not link to the digest before it")
            previous_hash = digest
            for stream_id, head in document.get("streams", {}).items():
                table, seq, expected = head["table"], int(head["seq"]), head["hash"]
                cur.execute(
                    f"SELECT hash_sha256 FROM {quote_ident(table)} "
                    "WHERE stream_id = %s AND stream_seq = %s",
                    (stream_id, seq),
                )
                row = cur.fetchone()
                report.rows += 1
                if row is None:
                    purged = checkpoints.get(stream_id)
                    if purged is None or purged[0] < seq:
                        report.problems.append(
                            f"{stream_id}: seq {seq} recorded by digest {info.name} is missing"
                        )
                elif row[0] != expected:
                    report.problems.append(
                        f"{stream_id}: seq {seq} no longer has the hash digest {info.name} "
                        "recorded (the chain was rewritten)"
                    )
        if chosen:
            report.digest_sha256 = sha256_bytes(blob.get(container, chosen[-1].name))
            report.digest_location = f"{container}/{chosen[-1].name}"
    conn.commit()
    if not chosen:
        report.problems.append(f"no digest of {database} found in {container}")
    report.seconds = time.perf_counter() - started
    return report


__all__ = [
    "GENESIS_HASH",
    "UtcText",
    "VerificationReport",
    "export_digest",
    "record",
    "record_incremental",
    "verify_all",
    "verify_digests",
]
