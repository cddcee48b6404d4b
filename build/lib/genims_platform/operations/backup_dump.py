"""A consistent dump of one MySQL database, streamed gzip-compressed into blob storage.

`take_backup` runs the server's dump tool (``mysqldump``, or ``mariadb-dump`` on MariaDB) with
``--single-transaction`` and everything a faithful restore needs (routines, triggers, events,
binary columns as hex), reads its output through zlib (gzip format, level 1: on this project's
2-core machine level 1 compresses about 64 MB/s of SQL to 29 % of its size, level 6 about
24 MB/s to 26 %, so level 1 keeps the pipeline at the dump's own speed) and hands the
compressed bytes to `BlobStore.put_stream`, which uploads them in blocks while hashing them
(SHA-256). Nothing is written to disk and at most a few blocks are in memory.

The blob is only committed once the dump tool has exited successfully and its output ends with
its own completion line: a failed or truncated dump leaves no blob behind.

**Per-table figures consistent with the dump.** The database keeps receiving rows while it is
dumped (the audit feed never stops), so row counts taken in another transaction, even a moment
later, would not describe the dump. The figures are taken in a snapshot that sees exactly what
the dump's snapshot sees:

1. a helper session takes ``LOCK TABLES ... READ`` on every base table of the database (waits
   for open write transactions to commit, then holds new writes back);
2. a second session starts ``START TRANSACTION WITH CONSISTENT SNAPSHOT``;
3. the dump tool starts and opens its own consistent snapshot; the lock is released as soon as
   its output shows the first table's structure, which it only writes after its transaction
   started (or when it ends, for a database without tables); writers wait for a few
   milliseconds;
4. while the dump streams, the second session counts the rows (``COUNT(*)``) and takes
   ``CHECKSUM TABLE`` of every table (both read the snapshot: InnoDB serves them from the
   transaction's read view).

Both snapshots started while no write could commit, so they see the same rows. The figures go
into a JSON manifest next to the dump (``<name>.manifest.json``), whose SHA-256 is in the dump's
metadata: blob metadata is limited to 8 KiB and ASCII, too small for the audit database's
tables and their names in general.

Credentials reach the tool through an option file readable only by the current user (mode
0600, in a private temporary directory, removed afterwards), never on its command line or in
its environment; the tool's error output is scrubbed of the password before it is shown.
"""

# SQL here is composed only from table names read from the server's own catalogue
# (information_schema), always through quote_ident; values are bound parameters.
# ruff: noqa: S608

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from genims_platform.lib.blob import BlobError, BlobStore, sha256_of
from genims_platform.lib.errors import GenimsError, scrub
from genims_platform.lib.mysql import connect, quote_ident
from genims_platform.operations.backup_retention import (
    RetentionPolicy,
    RetentionRule,
    backup_name,
    manifest_name,
)
from genims_platform.settings import MySqlTarget

FORMAT = "genims-mysql-backup-v1"
COMPRESS_LEVEL = 1
READ_SIZE = 1 << 20
PIPE_SIZE = 1 << 20
LOCK_WAIT_S = 60
ALIGN_TIMEOUT_S = 60.0
# The dump tool writes this comment before each table's DDL, after its transaction started.
STARTED_MARKER = b"\n-- Table structure for table `"
COMPLETED_MARKER = b"-- Dump completed"
STDERR_LIMIT = 64 * 1024


class BackupError(GenimsError):
    """A backup, restore or verification could not be done; the message says why."""


@dataclass(frozen=True)
class ClientTool:
    """A MySQL/MariaDB command-line tool found on this machine."""

    path: str
    program: str
    flavor: str
    version: str

    @property
    def major(self) -> int:
        match = re.search(r"Ver (\d+)", self.version)
        return int(match.group(1)) if match else 0


_TOOLS = {
    "dump": (("mariadb-dump", "mysqldump"), ("mysqldump", "mariadb-dump")),
    "client": (("mariadb", "mysql"), ("mysql", "mariadb")),
}


def find_tool(kind: str, *, server_flavor: str = "mariadb") -> ClientTool:
    """The dump tool (`kind` "dump") or the command-line client ("client"), preferring the
    server's own flavor; a clear error when neither is installed."""
    mariadb_first, mysql_first = _TOOLS[kind]
    names = mariadb_first if server_flavor == "mariadb" else mysql_first
    for name in names:
        path = shutil.which(name)
        if path is None:
            continue
        try:
            out = subprocess.run(
                [path, "--version"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            continue
        version = (out.stdout or out.stderr).strip().splitlines()[0] if out.returncode == 0 else ""
        if not version:
            continue
        flavor = "mariadb" if "mariadb" in version.lower() else "mysql"
        return ClientTool(path, name, flavor, version)
    wanted = " or ".join(names)
    raise BackupError(
        f"no {wanted} found on PATH: install the MySQL or MariaDB client tools "
        "(Debian: apt-get install mariadb-client) on the machine that runs backups"
    )


def _option_value(value: str) -> str:
    if "\n" in value or "\r" in value or "\x00" in value:
        raise BackupError("a MySQL password or setting contains a line break; it cannot be used")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def credentials_file(target: MySqlTarget, tool: ClientTool) -> Iterator[str]:
    """An option file with the login of `target`, mode 0600 in a private directory, removed
    when the block ends."""
    folder = tempfile.mkdtemp(prefix="genims-backup-")
    path = os.path.join(folder, "client.cnf")
    lines = [
        "[client]",
        f"user={_option_value(target.user)}",
        f"password={_option_value(target.password)}",
        f"host={_option_value(target.host)}",
        f"port={int(target.port)}",
    ]
    if target.ssl_ca:
        lines.append(f"ssl-ca={_option_value(target.ssl_ca)}")
        verify = getattr(target, "ssl_verify_identity", True)
        if tool.flavor == "mysql":
            lines.append(f"ssl-mode={'VERIFY_IDENTITY' if verify else 'VERIFY_CA'}")
        elif verify:
            lines.append("ssl-verify-server-cert")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def dump_command(tool: ClientTool, defaults: str, database: str) -> list[str]:
    """The dump tool's command line (no secret in it: the login is in `defaults`)."""
    command = [
        tool.path,
        f"--defaults-extra-file={defaults}",
        "--single-transaction",
        "--quick",
        "--routines",
        "--triggers",
        "--events",
        "--hex-blob",
        "--skip-lock-tables",
        "--no-tablespaces",
        "--default-character-set=utf8mb4",
        "--max-allowed-packet=1G",
    ]
    if tool.flavor == "mysql":
        # GTID_PURGED statements would make a restore into another server fail.
        command.append("--set-gtid-purged=OFF")
        if tool.major >= 8:
            command.append("--column-statistics=0")
    command.append(database)
    return command


def client_command(tool: ClientTool, defaults: str, database: str) -> list[str]:
    """The command-line client that loads a dump into `database`."""
    return [
        tool.path,
        f"--defaults-extra-file={defaults}",
        "--binary-mode",
        "--default-character-set=utf8mb4",
        "--max-allowed-packet=1G",
        f"--database={database}",
    ]


class StderrReader(threading.Thread):
    """Keeps the first STDERR_LIMIT bytes a child writes to stderr (and drains the rest)."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self._stream = stream
        self.data = bytearray()

    def run(self) -> None:
        for chunk in iter(lambda: self._stream.read(65536), b""):
            if len(self.data) < STDERR_LIMIT:
                self.data += chunk[: STDERR_LIMIT - len(self.data)]

    def text(self, secrets: list[str]) -> str:
        self.join(timeout=5)
        lines = [
            line.strip()
            for line in self.data.decode("utf-8", "replace").splitlines()
            if line.strip() and "sandbox mode" not in line
        ]
        return scrub("; ".join(lines[:5]), secrets)


@dataclass(frozen=True)
class TableFigures:
    """Rows and CHECKSUM TABLE of one table (checksum None when the server has none)."""

    rows: int
    checksum: int | None

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "checksum": self.checksum}


def base_tables(cur, database: str) -> list[str]:
    cur.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
        "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        (database,),
    )
    return [r[0] for r in cur.fetchall()]


def table_figures(cur, database: str, tables: list[str]) -> dict[str, TableFigures]:
    """Row count and CHECKSUM TABLE of every table, read in the cursor's transaction."""
    out: dict[str, TableFigures] = {}
    for table in tables:
        qualified = f"{quote_ident(database)}.{quote_ident(table)}"
        cur.execute(f"SELECT COUNT(*) FROM {qualified}")
        rows = int(cur.fetchone()[0])
        cur.execute(f"CHECKSUM TABLE {qualified}")
        found = cur.fetchone()
        out[table] = TableFigures(
            rows, None if found is None or found[1] is None else int(found[1])
        )
    return out


@dataclass
class BackupResult:
    """One backup written to blob storage, with the figures of its snapshot."""

    logical: str
    database: str
    container: str
    name: str
    manifest: str
    manifest_sha256: str
    sha256: str
    size_bytes: int
    sql_bytes: int
    tables: dict[str, TableFigures]
    taken_at: datetime
    server_version: str
    tool: str
    rule: RetentionRule
    seconds: float
    lock_held_s: float
    immutable_until: date | None = None
    immutability_note: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return f"{self.container}/{self.name}"

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.tables.values())

    @property
    def keep_until(self) -> date:
        return self.rule.keep_until(self.taken_at)

    @property
    def sql_mb_per_s(self) -> float:
        return self.sql_bytes / 1e6 / self.seconds if self.seconds else 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class _SnapshotAlignment:
    """The READ lock held while both snapshots start; released once, by whoever comes first:
    the dump stream (its snapshot started) or the watchdog (it did not start in time)."""

    def __init__(self, conn, timeout_s: float) -> None:
        self._conn = conn
        self._mutex = threading.Lock()
        self._held_since: float | None = None
        self.held_s = 0.0
        self.timed_out = False
        self._timer = threading.Timer(timeout_s, self._expire)
        self._timer.daemon = True

    def lock(self, database: str, tables: list[str]) -> None:
        with self._conn.cursor() as cur:
            cur.execute("SET SESSION lock_wait_timeout = %s", (LOCK_WAIT_S,))
            if tables:
                listed = ", ".join(f"{quote_ident(database)}.{quote_ident(t)} READ" for t in tables)
                cur.execute(f"LOCK TABLES {listed}")
        self._held_since = time.perf_counter()
        self._timer.start()

    def _expire(self) -> None:
        if self.release():
            self.timed_out = True

    def release(self) -> bool:
        """Unlock; True if this call released the lock."""
        with self._mutex:
            if self._held_since is None:
                return False
            self._timer.cancel()
            with self._conn.cursor() as cur:
                cur.execute("UNLOCK TABLES")
            self.held_s = time.perf_counter() - self._held_since
            self._held_since = None
            return True


class _CompressedDump:
    """The dump tool's stdout as gzip bytes, read by the blob upload."""

    def __init__(
        self,
        proc: subprocess.Popen,
        stderr: StderrReader,
        started: Callable[[], None],
        secrets: list[str],
        level: int,
    ) -> None:
        self._proc = proc
        self._fd = proc.stdout.fileno()
        self._stderr = stderr
        self._started = started
        self._secrets = secrets
        self._zip = zlib.compressobj(level, zlib.DEFLATED, 31)
        self._out = bytearray()
        self._tail = b""
        self._seen_start = False
        self._eof = False
        self.sql_bytes = 0

    def _see(self, chunk: bytes) -> None:
        window = self._tail + chunk
        if not self._seen_start and STARTED_MARKER in window:
            self._seen_start = True
            self._started()
        self._tail = window[-256:]

    def _finish(self) -> None:
        self._out += self._zip.flush()
        self._eof = True
        if not self._seen_start:
            self._seen_start = True
            self._started()
        code = self._proc.wait()
        if code != 0:
            reason = self._stderr.text(self._secrets) or f"exit code {code}"
            raise BackupError(f"the dump failed: {reason}")
        if COMPLETED_MARKER not in self._tail:
            raise BackupError("the dump ended without its completion line (truncated output)")

    def read(self, n: int = -1) -> bytes:
        while not self._eof and (n < 0 or len(self._out) < n):
            chunk = os.read(self._fd, READ_SIZE)
            if not chunk:
                self._finish()
                break
            self._see(chunk)
            self.sql_bytes += len(chunk)
            self._out += self._zip.compress(chunk)
        size = len(self._out) if n < 0 else min(n, len(self._out))
        data = bytes(self._out[:size])
        del self._out[:size]
        return data


def widen_pipe(pipe) -> None:
    """Give a child's pipe a 1 MiB buffer (Linux; default 64 KiB): fewer wake-ups of both
    ends per megabyte. Elsewhere, or when the system refuses, the pipe stays as it is."""
    import fcntl

    setpipe = getattr(fcntl, "F_SETPIPE_SZ", 1031)
    with suppress(OSError):
        fcntl.fcntl(pipe.fileno(), setpipe, PIPE_SIZE)


def ascii_value(value: Any) -> str:
    """A blob metadata value: ASCII only (anything else percent-encoded)."""
    return quote(str(value), safe=" !#$&'()*+,-./:;=?@[]^_`{|}~")


def server_flavor(version: str) -> str:
    return "mariadb" if "mariadb" in version.lower() else "mysql"


def take_backup(
    target: MySqlTarget,
    store: BlobStore,
    container: str,
    *,
    logical: str,
    policy: RetentionPolicy,
    now: datetime | None = None,
    level: int = COMPRESS_LEVEL,
    secrets: list[str] | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> BackupResult:
    """Dump `target`'s database into `container` (see the module docstring). `now` names the
    backup and decides its retention rule (default: the current time)."""
    started = time.perf_counter()
    database = target.database
    hidden = [target.password, *(secrets or [])]
    with (
        connect(target, database=database, autocommit=True) as lock_conn,
        connect(target, database=database) as snap_conn,
    ):
        with snap_conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            version = cur.fetchone()[0]
            tables = base_tables(cur, database)
        snap_conn.commit()
        tool = find_tool("dump", server_flavor=server_flavor(version))
        alignment = _SnapshotAlignment(lock_conn, ALIGN_TIMEOUT_S)
        figures: dict[str, Any] = {}

        def count() -> None:
            try:
                with snap_conn.cursor() as cur:
                    figures["tables"] = table_figures(cur, database, tables)
            except Exception as error:
                figures["error"] = error

        counter = threading.Thread(target=count, daemon=True)
        try:
            alignment.lock(database, tables)
        except Exception as error:
            raise BackupError(
                f"could not lock the tables of {database} for the snapshot within "
                f"{LOCK_WAIT_S} s (a long write transaction holds them?): "
                + scrub(str(error), hidden)
            ) from None
        try:
            with snap_conn.cursor() as cur:
                cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
            taken_at = (now or datetime.now(UTC)).astimezone(UTC)
            rule = policy.rule(logical, taken_at)
            name = backup_name(database, taken_at)
            manifest = manifest_name(name)
            store.ensure_container(container)

            def on_started() -> None:
                alignment.release()
                if alignment.timed_out:
                    raise BackupError(
                        f"the dump had not started its snapshot after {ALIGN_TIMEOUT_S:.0f} s; "
                        "the row counts could not be aligned with it, the backup was abandoned"
                    )
                counter.start()

            with credentials_file(target, tool) as defaults:
                proc = subprocess.Popen(
                    dump_command(tool, defaults, database),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
                widen_pipe(proc.stdout)
                stderr = StderrReader(proc.stderr)
                stderr.start()
                stream = _CompressedDump(proc, stderr, on_started, hidden, level)
                initial = {
                    "format": FORMAT,
                    "database": ascii_value(database),
                    "taken_at": taken_at.isoformat(),
                    "manifest": ascii_value(manifest.rsplit("/", 1)[-1]),
                }
                try:
                    info = store.put_stream(
                        container, name, stream, metadata=initial, overwrite=False
                    )
                except BaseException:
                    if proc.poll() is None:
                        proc.kill()
                    raise
                finally:
                    alignment.release()
                    with suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=30)
                    proc.stdout.close()
        finally:
            alignment.release()
            # The counting thread uses the snapshot session: it must be done before anything
            # else touches that connection (the commit, or the close on the way out).
            if counter.ident is not None:
                counter.join()
        snap_conn.commit()
    if "error" in figures or "tables" not in figures:
        _discard(store, container, [name])
        raise BackupError(
            "the row counts and checksums of the snapshot could not be read: "
            + scrub(str(figures.get("error", "not taken")), hidden)
        )
    tables_figures: dict[str, TableFigures] = figures["tables"]
    sha256 = info.sha256 or ""
    result = BackupResult(
        logical=logical,
        database=database,
        container=container,
        name=name,
        manifest=manifest,
        manifest_sha256="",
        sha256=sha256,
        size_bytes=info.size,
        sql_bytes=stream.sql_bytes,
        tables=tables_figures,
        taken_at=taken_at,
        server_version=version,
        tool=tool.version,
        rule=rule,
        seconds=0.0,
        lock_held_s=alignment.held_s,
    )
    try:
        document = manifest_document(result)
        body = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=True).encode("ascii")
        result.manifest_sha256 = sha256_of(body)
        store.put(
            container,
            manifest,
            body,
            metadata={"format": FORMAT, "database": ascii_value(database), "dump_sha256": sha256},
            overwrite=False,
        )
        result.seconds = time.perf_counter() - started
        result.metadata = dump_metadata(result)
        store.set_metadata(container, name, result.metadata)
    except BaseException:
        _discard(store, container, [name, manifest])
        raise
    if rule.immutable:
        until = datetime.combine(result.keep_until, datetime.min.time(), UTC)
        try:
            for blob in (name, manifest):
                store.set_immutability(container, blob, until)
            result.immutable_until = result.keep_until
        except BlobError as error:
            # Azurite has no immutability policies; production containers should also carry
            # a container-level WORM policy (docs/backups.md).
            result.immutability_note = f"not set: {scrub(str(error), hidden)}"[:500]
            log(f"immutability of {result.location} not set by the store: {error}")
    log(
        f"backup of {database}: {result.location}, {result.sql_bytes / 1e6:.1f} MB of SQL in "
        f"{result.size_bytes / 1e6:.1f} MB, {len(result.tables)} tables, {result.rows} rows, "
        f"{result.seconds:.1f} s"
    )
    return result


def _discard(store: BlobStore, container: str, names: list[str]) -> None:
    for blob in names:
        with suppress(BlobError):
            store.delete(container, blob)


def manifest_document(result: BackupResult) -> dict[str, Any]:
    """What the manifest next to a dump says (sorted JSON, ASCII)."""
    return {
        "format": FORMAT,
        "database": result.database,
        "logical": result.logical,
        "taken_at": result.taken_at.isoformat(),
        "server_version": result.server_version,
        "dump_tool": result.tool,
        "consistency": "row counts and CHECKSUM TABLE read in a consistent snapshot started "
        "together with the dump's under LOCK TABLES ... READ",
        "dump": {
            "name": result.name,
            "sha256": result.sha256,
            "size_bytes": result.size_bytes,
            "sql_bytes": result.sql_bytes,
            "compression": f"gzip (zlib level {COMPRESS_LEVEL})",
        },
        "retention": {
            "rule": result.rule.label,
            "keep_days": result.rule.keep_days,
            "keep_until": result.keep_until.isoformat(),
        },
        "tables": {name: f.as_json() for name, f in sorted(result.tables.items())},
        "rows_total": result.rows,
    }


def dump_metadata(result: BackupResult) -> dict[str, str]:
    """Blob metadata of the dump: ASCII, far below Azure's 8 KiB."""
    return {
        "format": FORMAT,
        "sha256": result.sha256,
        "size_bytes": str(result.size_bytes),
        "sql_bytes": str(result.sql_bytes),
        "database": ascii_value(result.database),
        "logical": result.logical,
        "taken_at": result.taken_at.isoformat(),
        "tables": str(len(result.tables)),
        "rows_total": str(result.rows),
        "manifest": ascii_value(result.manifest.rsplit("/", 1)[-1]),
        "manifest_sha256": result.manifest_sha256,
        "compression": f"gzip-{COMPRESS_LEVEL}",
        "keep_until": result.keep_until.isoformat(),
        "retention": ascii_value(result.rule.label),
    }


def read_manifest(store: BlobStore, container: str, name: str) -> tuple[dict[str, Any], str]:
    """The manifest of dump `name` and the SHA-256 of its bytes."""
    data = store.get(container, manifest_name(name))
    try:
        return json.loads(data), sha256_of(data)
    except ValueError:
        raise BackupError(f"the manifest of {container}/{name} is not valid JSON") from None


def figures_from_manifest(document: Mapping[str, Any]) -> dict[str, TableFigures]:
    return {
        name: TableFigures(int(v["rows"]), None if v["checksum"] is None else int(v["checksum"]))
        for name, v in document.get("tables", {}).items()
    }
