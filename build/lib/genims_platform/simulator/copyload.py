"""Bulk loading of generated frames into the 13 source databases with COPY.

One connection per database holds one transaction for the whole seed, so a failed seed leaves the
databases as they were. Row capture is bypassed in these sessions (`session_replication_role =
replica`) and each loaded table is reported once to `genims.note_bulk_load` when the capture
install provides it. Formatting to COPY text runs in the calling thread while a writer thread
streams the previous batch to PostgreSQL, so the generator and the server work in parallel.
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np
import psycopg
from psycopg import sql

from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib import pg
from genims_platform.lib.errors import GenimsError, first_line
from genims_platform.settings import Settings
from genims_platform.simulator.core import NULL_INT, SIMULATOR_APP, Frame

INT_TYPES = {"bigint", "integer", "smallint"}
FLOAT_TYPES = {"numeric", "double precision", "real"}
MAX_BATCH_ROWS = 250_000
_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def format_column(values, pg_type: str) -> list[str]:
    """COPY text of one column, given the column's PostgreSQL type and the simulator's
    conventions (epoch seconds for timestamptz, epoch days for date, NULL_INT/NaN/None)."""
    if pg_type in INT_TYPES:
        arr = np.asarray(values, dtype=np.int64)
        text = arr.astype(str)
        return np.where(arr == NULL_INT, "\\N", text).tolist()
    if pg_type in FLOAT_TYPES:
        arr = np.asarray(values, dtype=np.float64)
        text = arr.astype(str)
        return np.where(np.isnan(arr), "\\N", text).tolist()
    if pg_type == "timestamp with time zone":
        arr = np.asarray(values, dtype=np.int64)
        text = arr.astype("datetime64[s]").astype(str)
        return np.where(arr == NULL_INT, "\\N", text).tolist()
    if pg_type == "date":
        arr = np.asarray(values, dtype=np.int64)
        text = arr.astype("datetime64[D]").astype(str)
        return np.where(arr == NULL_INT, "\\N", text).tolist()
    if pg_type == "boolean":
        if isinstance(values, np.ndarray) and values.dtype == bool:
            return np.where(values, "t", "f").tolist()
        return ["\\N" if v is None else ("t" if v else "f") for v in values]
    out = ["\\N" if v is None else str(v) for v in values]
    if any(ch in "".join(out) for ch in "\t\n\r") or any("\\" in v and v != "\\N" for v in out):
        out = ["\\N" if v is None else str(v).translate(_SPECIAL) for v in values]
    return out


def copy_text(frame: Frame, types: dict[str, str]) -> bytes:
    columns = [format_column(frame.columns[name], types[name]) for name in frame.columns]
    if not columns or not columns[0]:
        return b""
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode()


@dataclass
class _Table:
    logical: str
    name: str
    columns: dict[str, str]
    identity: str | None


def _read_catalog(conn: psycopg.Connection, logical: str) -> dict[str, _Table]:
    rows = conn.execute(
        "SELECT c.table_name, c.column_name, c.data_type, c.is_identity "
        "FROM information_schema.columns c JOIN pg_tables t "
        "  ON t.schemaname = c.table_schema AND t.tablename = c.table_name "
        "WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position"
    ).fetchall()
    tables: dict[str, _Table] = {}
    for table, column, data_type, is_identity in rows:
        entry = tables.setdefault(table, _Table(logical, table, {}, None))
        entry.columns[column] = data_type
        if is_identity == "YES":
            entry.identity = column
    return tables


class BulkLoader:
    """COPY frames into the source databases inside one transaction per database."""

    def __init__(self, settings: Settings, *, replace: bool) -> None:
        self.settings = settings
        self.replace = replace
        self.counts: dict[str, int] = defaultdict(int)
        self._stack = ExitStack()
        self._conns: dict[str, psycopg.Connection] = {}
        self._tables: dict[str, _Table] = {}
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> BulkLoader:
        self._stack.__enter__()
        try:
            self._open()
        except BaseException:
            self._stack.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        return bool(self._stack.__exit__(exc_type, exc, tb))

    def _open(self) -> None:
        server = self.settings.pg_primary
        for logical in SOURCE_DATABASES:
            conn = self._stack.enter_context(
                pg.connect(
                    server,
                    self.settings.source_db(logical),
                    logical=logical,
                    application_name=SIMULATOR_APP,
                )
            )
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET TimeZone = 'UTC'")
            conn.execute("SET synchronous_commit = off")
            self._conns[logical] = conn
            tables = _read_catalog(conn, logical)
            if not tables:
                raise GenimsError(
                    f"source database {self.settings.source_db(logical)!r} ({logical}) has no "
                    "contract tables; run `genims db init` first"
                )
            for name, table in tables.items():
                self._tables[f"{logical}.{name}"] = table
        self._prepare_tables()
        self._thread = threading.Thread(target=self._writer, name="genims-copy", daemon=True)
        self._thread.start()

    def _prepare_tables(self) -> None:
        filled = []
        for key, table in self._tables.items():
            conn = self._conns[table.logical]
            query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table.name))
            if conn.execute(query).fetchone()[0]:
                filled.append(key)
        if filled and not self.replace:
            shown = ", ".join(filled[:5]) + (" ..." if len(filled) > 5 else "")
            raise GenimsError(
                f"{len(filled)} source tables already hold data ({shown}); pass --replace "
                "(replace=True) to empty the source tables and seed again"
            )
        if self.replace:
            for logical, conn in self._conns.items():
                names = [t.name for t in self._tables.values() if t.logical == logical]
                conn.execute(
                    sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                        sql.SQL(", ").join(sql.Identifier(n) for n in names)
                    )
                )

    def table_columns(self, key: str) -> dict[str, str]:
        return self._tables[key].columns

    def put(self, frame: Frame) -> None:
        """Format `frame` and queue it for COPY; raises the writer's error if it failed."""
        if self._error is not None:
            raise self._error
        table = self._tables.get(frame.table)
        if table is None:
            raise GenimsError(f"simulator produced rows for unknown table {frame.table!r}")
        unknown = set(frame.columns) - set(table.columns)
        if unknown:
            raise GenimsError(
                f"simulator produced unknown columns {sorted(unknown)} for {frame.table}"
            )
        n = len(frame)
        if n == 0:
            return
        for start in range(0, n, MAX_BATCH_ROWS):
            part = (
                frame
                if n <= MAX_BATCH_ROWS
                else frame.select((np.arange(n) >= start) & (np.arange(n) < start + MAX_BATCH_ROWS))
            )
            data = copy_text(part, table.columns)
            self._queue.put((table, list(part.columns), data))
            self.counts[frame.table] += len(part)
            if self._error is not None:
                raise self._error

    def _writer(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None:
                continue
            table, columns, data = item
            try:
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table.name),
                    sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                )
                with self._conns[table.logical].cursor() as cur, cur.copy(statement) as copy:
                    copy.write(data)
            except BaseException as exc:  # surfaced to the generating thread by put/finish
                self._error = GenimsError(
                    f"COPY into {table.logical}.{table.name} failed: {first_line(exc)}"
                )
                self._error.__cause__ = exc

    def finish(self) -> dict[str, int]:
        """Wait for the writer, move identity sequences past the loaded ids, report the bulk load
        to change capture, and commit every database."""
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        for logical, conn in self._conns.items():
            has_note = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'genims' "
                "AND p.proname = 'note_bulk_load')"
            ).fetchone()[0]
            for key, table in self._tables.items():
                if table.logical != logical:
                    continue
                if table.identity:
                    conn.execute(
                        sql.SQL(
                            "SELECT setval(pg_get_serial_sequence({}, {}), "
                            "coalesce((SELECT max({}) FROM {}), 0) + 1, false)"
                        ).format(
                            sql.Literal(table.name),
                            sql.Literal(table.identity),
                            sql.Identifier(table.identity),
                            sql.Identifier(table.name),
                        )
                    )
                if has_note:
                    conn.execute(
                        "SELECT genims.note_bulk_load(%s, %s)", (table.name, self.counts[key])
                    )
        for conn in self._conns.values():
            conn.commit()
        return {key: self.counts.get(key, 0) for key in sorted(self._tables)}
