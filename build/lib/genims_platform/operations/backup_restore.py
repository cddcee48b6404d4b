"""Restoring database backups: the restore verification after every backup, and the operator's
restore into a database of their choosing.

**Restore verification** (`verify_backup`): the dump is downloaded block by block, hashed
(SHA-256) and decompressed straight into the command-line client, which loads it into a scratch
database on the same server, ``<db>_restore_verify_<timestamp>``, created for the purpose and
always dropped afterwards (also on failure; scratch databases a killed verification left behind
are dropped by the next one after 12 hours). Then:

* the SHA-256 of what was downloaded must equal the one recorded when the backup was written
  (`document_retention_log`, hash-chained, when the caller passes it), the one in the manifest
  and the one in the blob's metadata; the manifest's own SHA-256 must match the dump's metadata
  and the creation record;
* every table's row count and ``CHECKSUM TABLE`` in the restored copy must equal the values of
  the manifest, taken in the dump's own snapshot (tables missing or extra count as different);
* for the audit database, the hash chains of the restored copy are verified in full
  (`genims_platform.audit.verify.verify_all`) and against the digests exported before the
  backup was taken (`verify_digests`, limited to the digests the restored copy itself records
  as exported): the backup holds an untampered audit trail up to its last exported digest.

Every problem found is collected; the verification passed when there is none.

**Operator restore** (`restore_backup`): picks the latest backup taken at or before the end of
a given day, refuses to write over any live database of the platform or a system schema, and
over an existing non-empty database unless forced (it is then dropped first), downloads the dump
to a temporary file and checks its SHA-256 *before* loading anything, then loads it and compares
the tables with the manifest. A failed load leaves no half-restored database behind.
"""

# SQL here is composed only from database names checked against the identifier alphabet and
# table names read from the server's catalogue, always through quote_ident.
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from queue import Full, Queue
from typing import Any

import pymysql

from genims_platform.lib.blob import BlobError, BlobInfo, BlobNotFoundError, BlobStore
from genims_platform.lib.errors import scrub
from genims_platform.lib.mysql import connect, quote_ident
from genims_platform.lib.sqlfiles import load_sql
from genims_platform.operations.backup_dump import (
    BackupError,
    StderrReader,
    TableFigures,
    base_tables,
    client_command,
    credentials_file,
    figures_from_manifest,
    find_tool,
    read_manifest,
    server_flavor,
    table_figures,
    widen_pipe,
)
from genims_platform.operations.backup_retention import (
    KeptBackup,
    list_backups,
    manifest_name,
    parse_backup_name,
)
from genims_platform.settings import MySqlTarget

SCRATCH_INFIX = "_restore_verify_"
SCRATCH_STALE = timedelta(hours=12)
SYSTEM_SCHEMAS = frozenset({"mysql", "information_schema", "performance_schema", "sys"})
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]{1,64}$")
PIPE_BLOCK = 1 << 20
CHAIN_PROBLEM = "hash chain of the restored copy: "

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class CreationRecord:
    """What `document_retention_log` recorded when the backup was written."""

    sha256: str | None
    size_bytes: int | None
    manifest_sha256: str | None


def read_creation_record(conn, location: str) -> CreationRecord | None:
    """The CREATED row of the backup at `location` (container/name), if any."""
    with conn.cursor() as cur:
        cur.execute(
            load_sql("operations", "backup", "created_record.sql"), {"document_id": location}
        )
        row = cur.fetchone()
    conn.commit()
    if row is None:
        return None
    details = json.loads(row[2]) if row[2] else {}
    return CreationRecord(
        row[0], None if row[1] is None else int(row[1]), details.get("manifest_sha256")
    )


@dataclass
class LoadStats:
    """One dump streamed into a database."""

    blob_bytes: int = 0
    sql_bytes: int = 0
    sha256: str = ""
    seconds: float = 0.0
    error: str | None = None

    @property
    def sql_mb_per_s(self) -> float:
        return self.sql_bytes / 1e6 / self.seconds if self.seconds else 0.0


def prefetch(chunks: Iterable[bytes], depth: int = 4) -> Iterator[bytes]:
    """`chunks`, fetched by a thread up to `depth` ahead: the download of the next blocks
    overlaps decompressing and loading this one. The producer's error is raised here."""
    queue: Queue = Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.5)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not offer(chunk):
                    return
            offer(done)
        except BaseException as error:  # handed to the consumer
            offer(error)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def load_dump(
    chunks: Iterable[bytes],
    target: MySqlTarget,
    database: str,
    *,
    total: int = 0,
    progress: Progress = _no_progress,
    secrets: list[str] | None = None,
) -> LoadStats:
    """Decompress the gzip `chunks` into the command-line client loading `database`; the
    compressed bytes are hashed on the way. A failure is reported in `error` (the rest of the
    chunks is still read, so `sha256` always covers all of them)."""
    hidden = [target.password, *(secrets or [])]
    stats = LoadStats()
    hasher = hashlib.sha256()
    started = time.perf_counter()
    with connect(target, database=None) as conn, conn.cursor() as cur:
        cur.execute("SELECT VERSION()")
        version = cur.fetchone()[0]
    tool = find_tool("client", server_flavor=server_flavor(version))
    unzip = zlib.decompressobj(31)
    with credentials_file(target, tool) as defaults:
        proc = subprocess.Popen(
            client_command(tool, defaults, database),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        widen_pipe(proc.stdin)
        stderr = StderrReader(proc.stderr)
        stderr.start()
        feeding = True
        try:
            for chunk in prefetch(chunks):
                hasher.update(chunk)
                stats.blob_bytes += len(chunk)
                if feeding:
                    try:
                        data = unzip.decompress(chunk)
                        stats.sql_bytes += len(data)
                        proc.stdin.write(data)
                    except zlib.error as error:
                        stats.error = f"the dump cannot be decompressed: {error}"
                        feeding = False
                    except (BrokenPipeError, OSError):
                        feeding = False
                progress("load", stats.blob_bytes, total)
            if feeding:
                try:
                    tail = unzip.flush()
                    stats.sql_bytes += len(tail)
                    proc.stdin.write(tail)
                except (BrokenPipeError, OSError):
                    pass
                if not unzip.eof and stats.error is None:
                    stats.error = "the dump is truncated (the gzip stream does not end)"
            with suppress(BrokenPipeError, OSError):
                proc.stdin.close()
            if stats.error is not None and proc.poll() is None:
                proc.kill()
            code = proc.wait()
        except BaseException:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            raise
        if code != 0 and stats.error is None:
            stats.error = "loading failed: " + (stderr.text(hidden) or f"exit code {code}")
    stats.sha256 = hasher.hexdigest()
    stats.seconds = time.perf_counter() - started
    return stats


def compare_figures(
    expected: dict[str, TableFigures], actual: dict[str, TableFigures]
) -> dict[str, str]:
    """Tables whose restored figures differ from the expected ones, with how."""
    out: dict[str, str] = {}
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want is None:
            out[table] = "not in the backup's manifest"
        elif got is None:
            out[table] = "missing from the restored copy"
        elif want.rows != got.rows:
            out[table] = f"{got.rows} rows restored, {want.rows} in the snapshot"
        elif want.checksum != got.checksum:
            out[table] = f"CHECKSUM TABLE {got.checksum} restored, {want.checksum} in the snapshot"
    return out


def scratch_name(database: str, now: datetime) -> str:
    """``<db>_restore_verify_<YYYYmmddHHMMSS>``, the database part shortened to fit 64."""
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    room = 64 - len(SCRATCH_INFIX) - len(stamp)
    return f"{database[:room]}{SCRATCH_INFIX}{stamp}"


def _drop_stale_scratch(cur, database: str, now: datetime) -> list[str]:
    prefix = scratch_name(database, now).rsplit(SCRATCH_INFIX, 1)[0] + SCRATCH_INFIX
    cur.execute("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
    dropped = []
    for (name,) in cur.fetchall():
        if not name.startswith(prefix):
            continue
        stamp = name[len(prefix) :]
        try:
            made = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            continue
        if now - made > SCRATCH_STALE:
            cur.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
            dropped.append(name)
    return dropped


def _schema_charset(cur, database: str) -> tuple[str, str]:
    cur.execute(
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME "
        "FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
        (database,),
    )
    row = cur.fetchone()
    return (row[0], row[1]) if row else ("utf8mb4", "utf8mb4_unicode_ci")


def _create_database(cur, name: str, like: str) -> None:
    charset, collation = _schema_charset(cur, like)
    if not _IDENTIFIER.match(charset) or not _IDENTIFIER.match(collation):
        charset, collation = "utf8mb4", "utf8mb4_unicode_ci"
    cur.execute(f"CREATE DATABASE {quote_ident(name)} CHARACTER SET {charset} COLLATE {collation}")


@dataclass
class VerificationResult:
    """Outcome of one restore verification."""

    database: str
    location: str
    scratch: str
    taken_at: datetime | None = None
    expected_sha256: str | None = None
    actual_sha256: str | None = None
    tables: int = 0
    rows_compared: int = 0
    differences: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chain: Any = None
    digests: Any = None
    load: LoadStats = field(default_factory=LoadStats)
    seconds: float = 0.0
    scratch_dropped: bool = False

    @property
    def passed(self) -> bool:
        return not self.problems

    def details(self) -> dict[str, Any]:
        """What the verification found, for document_retention_log (canonical JSON: no
        floats)."""
        out: dict[str, Any] = {
            "result": "passed" if self.passed else "failed",
            "scratch_database": self.scratch,
            "scratch_dropped": self.scratch_dropped,
            "tables_compared": self.tables,
            "rows_compared": self.rows_compared,
            "tables_differing": self.differences,
            "problems": self.problems[:50],
            "notes": self.notes,
            "sha256_expected": self.expected_sha256,
            "sha256_downloaded": self.actual_sha256,
            "blob_bytes": self.load.blob_bytes,
            "sql_bytes": self.load.sql_bytes,
            "restore_ms": int(self.load.seconds * 1000),
            "restore_mb_per_s": f"{self.load.sql_mb_per_s:.1f}",
            "duration_ms": int(self.seconds * 1000),
        }
        if self.chain is not None:
            out["chain_status"] = self.chain.status
            out["chain_rows_verified"] = self.chain.rows
        if self.digests is not None:
            out["digest_status"] = self.digests.status
            out["digest_location"] = self.digests.digest_location
        return out


class _DigestsUpTo:
    """A read-only view of the digest container that lists only the digests a restored audit
    database records as exported (its DIGEST_EXPORT rows): those were exported before the
    backup's snapshot, so every row they name must be in it."""

    def __init__(self, store: BlobStore, container: str, names: set[str]) -> None:
        self._store = store
        self._container = container
        self._names = names

    def list(self, container: str, prefix: str = "") -> list[BlobInfo]:
        return [b for b in self._store.list(container, prefix) if b.name in self._names]

    def get(self, container: str, name: str) -> bytes:
        return self._store.get(container, name)


def _exported_digests(conn, container: str) -> set[str]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT digest_location FROM audit_trail_integrity "
            "WHERE verification_type = 'DIGEST_EXPORT' AND digest_location LIKE %s",
            (container.replace("_", "\\_") + "/%",),
        )
        names = {row[0].partition("/")[2] for row in cur.fetchall() if row[0]}
    conn.commit()
    return names


def _verify_audit_copy(
    result: VerificationResult,
    target: MySqlTarget,
    digest_store: BlobStore | None,
    digest_container: str | None,
) -> None:
    from genims_platform.audit import verify

    with connect(target, database=result.scratch) as conn:
        chain = verify.verify_all(conn)
        result.chain = chain
        for problem in chain.all_problems[:20]:
            result.problems.append(CHAIN_PROBLEM + problem)
        if digest_store is None or not digest_container:
            result.notes.append("exported digests not checked (no digest storage given)")
            return
        names = _exported_digests(conn, digest_container)
        if not names:
            result.notes.append(
                "no digest had been exported when the backup was taken: the chains were "
                "verified internally only"
            )
            return
        view = _DigestsUpTo(digest_store, digest_container, names)
        digests = verify.verify_digests(conn, view, digest_container, result.database)
        result.digests = digests
        for problem in digests.all_problems[:20]:
            result.problems.append(f"exported digests vs the restored copy: {problem}")


def verify_backup(
    target: MySqlTarget,
    store: BlobStore,
    container: str,
    name: str,
    *,
    recorded: CreationRecord | None,
    audit_chains: bool = False,
    digest_store: BlobStore | None = None,
    digest_container: str | None = None,
    now: datetime | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> VerificationResult:
    """Restore the backup `container/name` of `target`'s database into a scratch database on
    the same server and check it (see the module docstring). Never raises for what it finds:
    every finding is a problem of the result."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    database = target.database
    scratch = scratch_name(database, now)
    result = VerificationResult(database, f"{container}/{name}", scratch)
    hidden = [target.password]
    parsed = parse_backup_name(name)
    result.taken_at = parsed.taken_at if parsed else None
    try:
        info = store.info(container, name)
    except BlobNotFoundError:
        result.problems.append(f"the backup {container}/{name} does not exist")
        result.seconds = time.perf_counter() - started
        return result
    candidates = {"metadata": info.metadata.get("sha256")}
    expected_figures: dict[str, TableFigures] = {}
    try:
        document, manifest_sha = read_manifest(store, container, name)
        candidates["manifest"] = document.get("dump", {}).get("sha256")
        expected_figures = figures_from_manifest(document)
        if info.metadata.get("manifest_sha256") not in (None, manifest_sha):
            result.problems.append("the manifest does not match the SHA-256 in the dump's metadata")
        if recorded is not None and recorded.manifest_sha256 not in (None, manifest_sha):
            result.problems.append(
                "the manifest differs from the one recorded when the backup was written"
            )
    except BlobNotFoundError:
        result.problems.append(f"the manifest {container}/{manifest_name(name)} is missing")
    except (BlobError, BackupError, KeyError, TypeError, ValueError) as error:
        result.problems.append(f"the manifest cannot be read: {error}")
    if recorded is not None:
        candidates["creation record"] = recorded.sha256
    else:
        result.notes.append("no creation record in document_retention_log to compare with")
    known = {source: value for source, value in candidates.items() if value}
    result.expected_sha256 = known.get("creation record") or next(iter(known.values()), None)
    if len(set(known.values())) > 1:
        listed = ", ".join(f"{source} {value[:12]}" for source, value in known.items())
        result.problems.append(f"the recorded SHA-256 values of the dump disagree ({listed})")
    if not known:
        result.problems.append("no SHA-256 of the dump is recorded anywhere")

    with connect(target, database=None, autocommit=True) as admin:
        with admin.cursor() as cur:
            for stale in _drop_stale_scratch(cur, database, now):
                log(f"dropped {stale}, left behind by an interrupted verification")
            _create_database(cur, scratch, database)
        try:
            result.load = load_dump(
                store.read_chunks(container, name), target, scratch, total=info.size
            )
            result.actual_sha256 = result.load.sha256
            if result.expected_sha256 and result.load.sha256 != result.expected_sha256:
                result.problems.append(
                    f"the downloaded dump does not match its SHA-256 (expected "
                    f"{result.expected_sha256}, got {result.load.sha256}): the blob is corrupt "
                    "or was altered"
                )
            if result.load.error:
                result.problems.append(scrub(result.load.error, hidden))
            else:
                with admin.cursor() as cur:
                    actual = table_figures(cur, scratch, base_tables(cur, scratch))
                result.tables = len(actual)
                result.rows_compared = sum(f.rows for f in actual.values())
                if expected_figures:
                    result.differences = compare_figures(expected_figures, actual)
                    for table, how in result.differences.items():
                        result.problems.append(f"table {table}: {how}")
                if audit_chains:
                    _verify_audit_copy(result, target, digest_store, digest_container)
        except BlobError as error:
            result.problems.append(f"the backup could not be downloaded: {error}")
        except (BackupError, pymysql.err.MySQLError) as error:
            result.problems.append(scrub(f"the restore could not be checked: {error}", hidden))
        finally:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {quote_ident(scratch)}")
                cur.execute(
                    "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
                    (scratch,),
                )
                result.scratch_dropped = cur.fetchone()[0] == 0
    result.seconds = time.perf_counter() - started
    log(
        f"restore verification of {result.location}: "
        f"{'passed' if result.passed else 'FAILED'} ({result.tables} tables, "
        f"{result.rows_compared} rows, {result.seconds:.1f} s)"
    )
    return result


def choose_backup(store: BlobStore, container: str, database: str, at: date) -> KeptBackup:
    """The latest complete backup of `database` taken before the end of day `at` (UTC)."""
    end = datetime.combine(at + timedelta(days=1), datetime.min.time(), UTC)
    found = list_backups(store, container, database)
    chosen = [b for b in found if b.complete and b.taken_at < end]
    if not chosen:
        oldest = min((b.taken_at for b in found if b.complete), default=None)
        hint = f"; the oldest is from {oldest:%Y-%m-%d %H:%M} UTC" if oldest else ""
        raise BackupError(
            f"no backup of {database} taken on or before {at.isoformat()} in container "
            f"{container}{hint}"
        )
    return chosen[-1]


def check_restore_name(name: str, live: Iterable[str]) -> str:
    """A database name the operator may restore into: an identifier, not a live database of
    the platform, not a system schema."""
    if not _IDENTIFIER.match(name):
        raise BackupError(
            f"--into must be 1-64 letters, digits or underscores (a database name), got {name!r}"
        )
    if name.lower() in {n.lower() for n in live}:
        raise BackupError(
            f"refusing to restore into {name}: it is a live database of the platform; "
            "restore into another name and compare, or switch over deliberately"
        )
    if name.lower() in SYSTEM_SCHEMAS:
        raise BackupError(f"refusing to restore into the system schema {name}")
    return name


def _object_count(cur, name: str) -> int:
    cur.execute(
        "SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s) + "
        "(SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = %s) + "
        "(SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = %s)",
        (name, name, name),
    )
    return int(cur.fetchone()[0])


@dataclass
class RestoreOutcome:
    backup: KeptBackup
    into: str
    replaced: bool
    load: LoadStats
    differences: dict[str, str]
    tables: int
    rows: int
    download_seconds: float


def _download(
    store: BlobStore, container: str, name: str, handle, total: int, progress: Progress
) -> tuple[str, int]:
    hasher = hashlib.sha256()
    done = 0
    for chunk in store.read_chunks(container, name):
        handle.write(chunk)
        hasher.update(chunk)
        done += len(chunk)
        progress("download", done, total)
    handle.flush()
    return hasher.hexdigest(), done


def _file_chunks(handle) -> Iterator[bytes]:
    handle.seek(0)
    yield from iter(lambda: handle.read(PIPE_BLOCK), b"")


def restore_backup(
    target: MySqlTarget,
    store: BlobStore,
    container: str,
    *,
    at: date,
    into: str,
    live: Iterable[str],
    force: bool = False,
    recorded: Callable[[str], CreationRecord | None] = lambda location: None,
    progress: Progress = _no_progress,
) -> RestoreOutcome:
    """Restore the latest backup of `target`'s database taken on or before `at` into the
    database `into` on the same server (see the module docstring)."""
    into = check_restore_name(into, [*live, target.database])
    backup = choose_backup(store, container, target.database, at)
    assert backup.dump is not None
    document, manifest_sha = read_manifest(store, container, backup.name)
    record = recorded(f"{container}/{backup.name}")
    expected = {
        "metadata": backup.dump.metadata.get("sha256"),
        "manifest": document.get("dump", {}).get("sha256"),
        "creation record": record.sha256 if record else None,
    }
    known = {k: v for k, v in expected.items() if v}
    if not known or len(set(known.values())) > 1:
        raise BackupError(
            f"the SHA-256 values recorded for {container}/{backup.name} disagree or are "
            f"missing ({known}); nothing was restored"
        )
    if record is not None and record.manifest_sha256 not in (None, manifest_sha):
        raise BackupError(
            f"the manifest of {container}/{backup.name} differs from the one recorded when "
            "the backup was written; nothing was restored"
        )
    sha256 = next(iter(known.values()))
    with connect(target, database=None, autocommit=True) as admin, admin.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (into,)
        )
        existed = cur.fetchone()[0] > 0
        if existed and _object_count(cur, into) and not force:
            raise BackupError(
                f"database {into} exists and is not empty; choose another name, or pass "
                "--force to replace it (it is dropped first)"
            )
        with tempfile.TemporaryFile(prefix="genims-restore-") as handle:
            started = time.perf_counter()
            actual, size = _download(
                store, container, backup.name, handle, backup.dump.size, progress
            )
            download_s = time.perf_counter() - started
            if actual != sha256:
                raise BackupError(
                    f"the downloaded backup {container}/{backup.name} does not match its "
                    f"SHA-256 (expected {sha256}, got {actual}): the blob is corrupt or was "
                    "altered; nothing was restored"
                )
            progress("verified", size, size)
            replaced = existed and force
            if existed:
                cur.execute(f"DROP DATABASE {quote_ident(into)}")
            _create_database(cur, into, target.database)
            try:
                stats = load_dump(_file_chunks(handle), target, into, total=size, progress=progress)
                if stats.error:
                    raise BackupError(f"restoring into {into} failed: {stats.error}")
            except BaseException:
                cur.execute(f"DROP DATABASE IF EXISTS {quote_ident(into)}")
                if existed and not replaced:
                    _create_database(cur, into, target.database)
                raise
        actual_figures = table_figures(cur, into, base_tables(cur, into))
    return RestoreOutcome(
        backup=backup,
        into=into,
        replaced=replaced,
        load=stats,
        differences=compare_figures(figures_from_manifest(document), actual_figures),
        tables=len(actual_figures),
        rows=sum(f.rows for f in actual_figures.values()),
        download_seconds=download_s,
    )


__all__ = [
    "CreationRecord",
    "LoadStats",
    "RestoreOutcome",
    "VerificationResult",
    "check_restore_name",
    "choose_backup",
    "compare_figures",
    "load_dump",
    "read_creation_record",
    "restore_backup",
    "scratch_name",
    "verify_backup",
]
