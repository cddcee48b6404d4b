"""Bulk loads into MySQL: stage, test, then replace the partition window in one transaction.

Rows go first into a session-private staging table with the target's column types but no keys
and no NOT NULL (so bad rows land where the data tests can see and name them). Each frame is
converted once, column by column, into Arrow arrays of the target's types (rounded to each
DECIMAL's scale; overflow, truncation and non-finite numbers are errors that name the column).
The fast path writes them as CSV with Arrow's writer and runs `LOAD DATA LOCAL INFILE`; when
the server does not allow it, batched multi-row INSERTs of `ETL_BATCH_SIZE` rows do the same.
MySQL turns data errors of a LOCAL load into warnings, so any warning fails the load with the
server's own explanation. Publishing
deletes the window and inserts the staged rows inside one transaction: readers see the old
partition until the commit and the new one after it, never a mix.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Collection
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pymysql

from genims_platform.lib.errors import DatabaseUnavailableError, DataValidationError
from genims_platform.lib.mysql import quote_ident
from genims_platform.lib.resources import MySQLDatabase
from genims_platform.lib.retry import is_transient
from genims_platform.lib.schema import Column, TableSchema
from genims_platform.lib.window import Window

UPDATED_AT = "updated_at"


@dataclass
class LoadStats:
    rows_staged: int = 0
    rows_published: int = 0
    rows_deleted: int = 0
    method: str = ""
    stage_seconds: float = 0.0
    publish_seconds: float = 0.0


def round_half_away_from_zero(values: np.ndarray, scale: int) -> np.ndarray:
    """Round like MySQL rounds exact numbers (half away from zero) at `scale` decimals.

    A decimal half such as 2.675 is stored in binary as 2.67499999...; nudging the scaled value
    two units in the last place away from zero first makes it round as the decimal it stands
    for (2.68), while values that are not halves are far from the nudge and unaffected.
    """
    scaled = values * (10.0**scale)
    nudged = np.nextafter(np.nextafter(np.abs(scaled), np.inf), np.inf)
    return np.sign(scaled) * np.floor(nudged + 0.5) / (10.0**scale)


def _arrow_column(series: pd.Series, column: Column) -> pa.Array:
    """One column as an Arrow array of the MySQL column's type: rounded to its scale, with
    overflow, truncation and non-finite numbers reported instead of silently changed."""
    kind = column.base_type
    try:
        if kind == "DECIMAL":
            numbers = pd.to_numeric(series, errors="raise").to_numpy(
                dtype="float64", na_value=np.nan
            )
            if np.isinf(numbers).any():
                raise DataValidationError(f"column {column.name}: a value is not a finite number")
            precision = int(column.sql_type.split("(")[1].split(",")[0])
            rounded = round_half_away_from_zero(numbers, column.scale or 0)
            return pa.array(rounded, from_pandas=True).cast(
                pa.decimal128(precision, column.scale or 0)
            )
        if kind in {"TINYINT", "SMALLINT", "INT", "BIGINT", "BOOLEAN"}:
            values = pa.array(series, from_pandas=True)
            if pa.types.is_boolean(values.type):
                values = values.cast(pa.int8())
            return values.cast(pa.int64())
        if kind in {"DOUBLE", "FLOAT"}:
            values = pa.array(series, from_pandas=True).cast(pa.float64())
            _reject_non_finite(values, column)
            return values
        if kind == "DATE":
            if series.dtype == object:
                converted = pd.to_datetime(series, errors="raise")
                return pa.array(converted.dt.date, from_pandas=True, type=pa.date32())
            return pa.array(pd.to_datetime(series).dt.date, from_pandas=True, type=pa.date32())
        if kind in {"DATETIME", "TIMESTAMP"}:
            stamps = pd.to_datetime(series, utc=True).dt.tz_localize(None)
            return pa.array(stamps, from_pandas=True, type=pa.timestamp("us"))
        return pa.array(series.astype("object").where(series.notna(), None), type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError) as error:
        raise DataValidationError(
            f"column {column.name} ({column.sql_type}): {str(error).splitlines()[0]}"
        ) from None


# Byte capacity of MySQL's text types (VARCHAR and CHAR count characters instead).
TEXT_BYTES = {"TINYTEXT": 255, "TEXT": 65_535, "MEDIUMTEXT": 16_777_215}


def _text_capacity(column: Column) -> tuple[int, str] | None:
    """(limit, unit) of a text column; None for other types and for LONGTEXT (4 GB)."""
    if column.base_type in TEXT_BYTES:
        return TEXT_BYTES[column.base_type], "bytes"
    if column.base_type in {"VARCHAR", "CHAR"}:
        match = re.search(r"\(\s*(\d+)\s*\)", column.sql_type)
        return (int(match.group(1)), "characters") if match else None
    return None


def _reject_non_finite(values: pa.Array, column: Column) -> None:
    finite = pc.is_finite(values)
    if pc.any(pc.invert(pc.fill_null(finite, True))).as_py():
        raise DataValidationError(f"column {column.name}: a value is not a finite number")


@dataclass
class PreparedRows:
    """One chunk converted to the target's types, and its LOAD DATA file when one is used."""

    table: pa.Table
    path: str | None

    def discard(self) -> None:
        if self.path is not None and os.path.exists(self.path):
            os.unlink(self.path)
        self.path = None


class StagedLoad:
    """Stage rows for one target table in one MySQL session, test them, publish them."""

    def __init__(
        self,
        db: MySQLDatabase,
        schema: TableSchema,
        *,
        date_column: str | None,
        window: Window | None,
        log: Callable[[str], None] = lambda message: None,
        computed: Collection[str] = (),
    ) -> None:
        self.db = db
        self.schema = schema
        self.date_column = date_column
        self.window = window
        self.log = log
        self.stats = LoadStats()
        # `computed` columns are filled by the write mode at publish time (e.g. the hash chain
        # of an audit table), never by the transform.
        self.load_columns = [
            c for c in schema.columns if c.name != UPDATED_AT and c.name not in computed
        ]
        self.staging = f"_stg_{schema.name}"[:64]
        self._cm = None
        self.conn: pymysql.connections.Connection | None = None

    def __enter__(self) -> StagedLoad:
        self.use_load_data = self.db.local_infile_allowed()
        self._cm = self.db.connect()
        self.conn = self._cm.__enter__()
        columns = ",\n".join(
            f"  {quote_ident(c.name)} {c.sql_type} NULL" for c in self.schema.columns
        )
        with self.conn.cursor() as cur:
            cur.execute(f"DROP TEMPORARY TABLE IF EXISTS {quote_ident(self.staging)}")
            cur.execute(
                f"CREATE TEMPORARY TABLE {quote_ident(self.staging)} (\n{columns}\n) "
                # Session-private and rebuilt on every run: no undo or redo is worth paying for.
                "ENGINE=MyISAM DEFAULT CHARSET=utf8mb4"
            )
        self.conn.commit()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.conn is not None:
                self.conn.rollback()
                with self.conn.cursor() as cur:
                    cur.execute(f"DROP TEMPORARY TABLE IF EXISTS {quote_ident(self.staging)}")
                self.conn.commit()
        except pymysql.err.Error:
            # After a lost connection the clean-up fails too (the server dropped the session
            # and its staging table already); the error that ended the load is the one to
            # report.
            if exc_type is None:
                raise
        finally:
            if self._cm is not None:
                self._cm.__exit__(exc_type, exc, tb)

    def arrow(self, frame: pd.DataFrame) -> pa.Table:
        """The frame as an Arrow table of exactly the target's columns and types."""
        if frame.empty:
            # No rows: nothing to validate (transforms skip their derivation on empty
            # extracts, so the columns may legitimately be the extract's, not the table's).
            frame = pd.DataFrame({c.name: pd.Series([], dtype=object) for c in self.load_columns})
        known = {c.name for c in self.schema.columns}
        missing = [c.name for c in self.load_columns if c.name not in frame.columns]
        extra = [name for name in frame.columns if name not in known]
        if missing or extra:
            raise DataValidationError(
                f"{self.schema.name}: the transform's columns do not match the table "
                f"(missing: {missing or 'none'}; unexpected: {extra or 'none'})"
            )
        arrays = []
        for column in self.load_columns:
            try:
                arrays.append(_arrow_column(frame[column.name].reset_index(drop=True), column))
            except DataValidationError as error:
                raise DataValidationError(f"{self.schema.name}: {error}") from None
        table = pa.Table.from_arrays(arrays, names=[c.name for c in self.load_columns])
        self._reject_too_long(table)
        return table

    def _reject_too_long(self, table: pa.Table) -> None:
        """Text longer than its column holds: MySQL would truncate it (a LOCAL load only
        warns) or report a cut multi-byte character as an "incorrect string value"; say which
        column, how long and which row instead."""
        for column in self.load_columns:
            capacity = _text_capacity(column)
            if capacity is None:
                continue
            limit, unit = capacity
            values = table.column(column.name)
            measure = pc.utf8_length if unit == "characters" else pc.binary_length
            lengths = measure(values)
            too_long = pc.fill_null(pc.greater(lengths, limit), False)
            count = pc.sum(too_long).as_py() or 0
            if not count:
                continue
            first = table.slice(pc.index(too_long, True).as_py(), 1).to_pylist()[0]
            key = ", ".join(f"{g}={first[g]}" for g in self.schema.grain if g in first)
            # MySQL's own wording first: it is what operators search for.
            raise DataValidationError(
                f"{self.schema.name}: Data truncated for column '{column.name}': "
                f"{column.sql_type} holds at most {limit} {unit} and {count} value(s) are "
                f"longer (the longest: {pc.max(lengths).as_py()} {unit}), the first in the row "
                f"with {key}; nothing was published"
            )

    def prepare(self, frame: pd.DataFrame) -> PreparedRows:
        """Convert a frame (and, for LOAD DATA, write its file) without touching the database,
        so the next chunk can be prepared in another thread while this one loads."""
        table = self.arrow(frame)
        if table.num_rows == 0 or not self.use_load_data:
            return PreparedRows(table, None)
        fd, path = tempfile.mkstemp(prefix=f"genims_{self.schema.name}_", suffix=".csv")
        os.close(fd)
        # Every value quoted, NULL unquoted: unambiguous with ESCAPED BY '' (a literal string
        # 'NULL' stays a string; quotes inside values are doubled).
        pacsv.write_csv(
            table,
            path,
            pacsv.WriteOptions(include_header=False, quoting_style="all_valid", null_string="NULL"),
        )
        return PreparedRows(table, path)

    def stage(self, frame: pd.DataFrame | PreparedRows) -> int:
        """Append rows to the staging table; return the number of rows staged."""
        prepared = frame if isinstance(frame, PreparedRows) else self.prepare(frame)
        if prepared.table.num_rows == 0:
            prepared.discard()
            return 0
        started = time.perf_counter()
        if prepared.path is not None:
            count = self._load_data_local(prepared)
            self.stats.method = "LOAD DATA LOCAL INFILE"
        else:
            count = self._batched_insert(prepared.table)
            self.stats.method = f"batched INSERT ({self.db.batch_size} rows)"
        self.stats.rows_staged += count
        self.stats.stage_seconds += time.perf_counter() - started
        return count

    def _column_list(self) -> str:
        return ", ".join(quote_ident(c.name) for c in self.load_columns)

    def _load_data_local(self, prepared: PreparedRows) -> int:
        try:
            with self.conn.cursor() as cur:
                cur.execute(
                    f"LOAD DATA LOCAL INFILE %s INTO TABLE {quote_ident(self.staging)} "
                    "CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' "
                    f"ESCAPED BY '' LINES TERMINATED BY '\\n' ({self._column_list()})",
                    (prepared.path,),
                )
                self._raise_on_warnings(cur)
            self.conn.commit()
        finally:
            prepared.discard()
        return prepared.table.num_rows

    def _raise_on_warnings(self, cur) -> None:
        cur.execute("SHOW WARNINGS LIMIT 20")
        problems = [row for row in cur.fetchall() if row[0] in ("Warning", "Error")]
        if problems:
            details = "; ".join(f"{message}" for _level, _code, message in problems[:10])
            raise DataValidationError(
                f"{self.schema.name}: MySQL rejected staged values ({len(problems)} problem(s)): "
                f"{details}"
            )

    def _batched_insert(self, table: pa.Table) -> int:
        names = table.column_names
        rows = (tuple(row[n] for n in names) for row in table.to_pylist())
        placeholders = ", ".join(["%s"] * len(self.load_columns))
        statement = (
            f"INSERT INTO {quote_ident(self.staging)} ({self._column_list()}) "
            f"VALUES ({placeholders})"
        )
        count = 0
        batch: list[tuple] = []
        with self.conn.cursor() as cur:
            for row in rows:
                batch.append(row)
                if len(batch) >= self.db.batch_size:
                    count += self._insert_batch(cur, statement, batch)
                    batch = []
            if batch:
                count += self._insert_batch(cur, statement, batch)
        self.conn.commit()
        return count

    def _insert_batch(self, cur, statement: str, batch: list[tuple]) -> int:
        try:
            cur.executemany(statement, batch)
        except pymysql.err.DataError as error:
            raise DataValidationError(
                f"{self.schema.name}: MySQL rejected a staged value: {error.args[-1]}"
            ) from None
        return len(batch)

    def query(self, sql_text: str, params: tuple | dict | None = None) -> tuple[list, list[str]]:
        """Run a read query in this session (it can see the staging table)."""
        with self.conn.cursor() as cur:
            cur.execute(sql_text, params)
            names = [d[0] for d in cur.description] if cur.description else []
            return list(cur.fetchall()), names

    def window_predicate(self) -> tuple[str, tuple]:
        if self.date_column is None or self.window is None:
            return "1 = 1", ()
        column = quote_ident(self.date_column)
        return f"{column} >= %s AND {column} < %s", (self.window.start, self.window.end)

    def publish(self, updated_at: datetime) -> int:
        """Replace the window in the target with the staged rows, atomically."""
        started = time.perf_counter()
        target = quote_ident(self.schema.name)
        predicate, params = self.window_predicate()
        columns = self._column_list()
        has_updated_at = any(c.name == UPDATED_AT for c in self.schema.columns)
        stamp = updated_at.astimezone(UTC).replace(tzinfo=None)
        try:
            self.conn.begin()
            with self.conn.cursor() as cur:
                self.stats.rows_deleted = cur.execute(
                    f"DELETE FROM {target} WHERE {predicate}", params
                )
                if has_updated_at:
                    inserted = cur.execute(
                        f"INSERT INTO {target} ({columns}, {quote_ident(UPDATED_AT)}) "
                        f"SELECT {columns}, %s FROM {quote_ident(self.staging)}",
                        (stamp,),
                    )
                else:
                    inserted = cur.execute(
                        f"INSERT INTO {target} ({columns}) "
                        f"SELECT {columns} FROM {quote_ident(self.staging)}"
                    )
            self.conn.commit()
        except pymysql.err.MySQLError as error:
            with suppress(pymysql.err.Error):
                self.conn.rollback()
            if is_transient(error):
                # The server went away or gave up on a lock: it rolls the open transaction
                # back itself (or had committed it whole), and another attempt may succeed.
                raise DatabaseUnavailableError(
                    f"{self.schema.name}: publishing {self.window or 'the table'} was "
                    f"interrupted ({error.args[-1]}); MySQL commits or rolls back the whole "
                    "transaction",
                    transient=True,
                ) from None
            raise DataValidationError(
                f"{self.schema.name}: publishing {self.window or 'the table'} failed and was "
                f"rolled back; the previous data is unchanged: {error.args[-1]}"
            ) from None
        self.stats.rows_published = inserted
        self.stats.publish_seconds = time.perf_counter() - started
        return inserted
