"""The chained append: how every row reaches an audit table, and the builder's write mode.

Every audit table is a set of hash chains ("streams"). A row belongs to exactly one stream
(`stream_id`, e.g. ``system_audit_log/erp``), has a gapless position in it (`stream_seq`, from 1)
and carries `hash_sha256` over its canonical bytes (`canonical_payload`, stored verbatim) chained
to `previous_hash_sha256`, the hash of the row before it (see `genims_platform.audit.canonical`).

The head of each stream (`audit_chain_head`: last seq, last hash, row count) is read with
``SELECT ... FOR UPDATE`` and advanced in the same MySQL transaction as the rows, so two writers
can never fork a chain, and a rolled-back batch leaves no trace. `append_chained` is the one
function that writes chained rows; the outbox ingest, the self-audit and `AppendVersions` (the
builder's write mode for the source-derived audit tables) all go through it.
"""

# SQL here is composed only from identifiers of the platform's own catalogue (through
# quote_ident); every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pymysql

from genims_platform.audit.canonical import (
    GENESIS_HASH,
    UtcText,
    canonical_json,
    content_hash,
    row_hash,
)
from genims_platform.lib.errors import DataValidationError, GenimsError
from genims_platform.lib.mysql import quote_ident

if TYPE_CHECKING:
    from genims_platform.lib.loader import StagedLoad
    from genims_platform.lib.tables import TableSpec
    from genims_platform.lib.window import Window

STREAM_ID = "stream_id"
STREAM_SEQ = "stream_seq"
HASH = "hash_sha256"
PREVIOUS_HASH = "previous_hash_sha256"
PAYLOAD = "canonical_payload"
CREATED_AT = "created_at"
RECORD_VERSION = "record_version"
CONTENT_HASH = "content_sha256"

CHAIN_COLUMNS = (STREAM_ID, STREAM_SEQ, HASH, PREVIOUS_HASH, PAYLOAD)
"""Columns every audit table has, written only by `append_chained`."""

HEAD_TABLE = "audit_chain_head"
MAX_STREAM_ID = 100
INSERT_CHUNK = 2000


class ChainError(GenimsError):
    """A chained append could not be done consistently (and was rolled back)."""


@dataclass
class ChainHead:
    """The last row of one stream, as locked for this transaction."""

    stream_id: str
    table_name: str
    last_seq: int
    last_hash: str
    row_count: int
    start_seq: int = 0
    start_hash: str = GENESIS_HASH
    appended: int = 0


@dataclass(frozen=True)
class ChainedRow:
    """One row to append: its stream, its column values and payload-only fields.

    `values` are the stored business columns (names as in the table, `created_at` included);
    `extra` are fields that are only in the canonical payload (e.g. source row images that the
    table exposes as VIRTUAL generated columns). Both are hashed.
    """

    stream_id: str
    values: Mapping[str, Any]
    extra: Mapping[str, Any] = field(default_factory=dict)


def begin_append(conn) -> None:
    """Start an append transaction. READ COMMITTED: locking reads of rows that do not exist
    yet (a new stream's head, a new feed's cursor) then take no gap locks, so appends of
    different sources running in parallel cannot deadlock on each other's new rows; the rows
    that matter are locked explicitly (FOR UPDATE)."""
    with conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
    conn.begin()


def lock_heads(cur, streams: Mapping[str, str]) -> dict[str, ChainHead]:
    """Lock (creating when new) the heads of `streams` (stream id -> table) for update.

    Heads are locked in stream-id order so concurrent writers never deadlock on them.
    """
    if not streams:
        return {}
    for stream_id, table in streams.items():
        if len(stream_id) > MAX_STREAM_ID or stream_id.split("/", 1)[0] != table:
            raise ChainError(
                f"invalid stream id {stream_id!r}: streams of {table} are named "
                f"'{table}' or '{table}/<part>' (at most {MAX_STREAM_ID} characters)"
            )
    ids = sorted(streams)
    heads = _select_heads(cur, ids)
    missing = [s for s in ids if s not in heads]
    if missing:
        cur.executemany(
            f"INSERT IGNORE INTO {HEAD_TABLE} (stream_id, table_name, last_seq, last_hash, "
            "row_count) VALUES (%s, %s, 0, %s, 0)",
            [(s, streams[s], GENESIS_HASH) for s in missing],
        )
        heads.update(_select_heads(cur, missing))
    for stream_id, table in streams.items():
        head = heads[stream_id]
        if head.table_name != table:
            raise ChainError(
                f"stream {stream_id!r} belongs to table {head.table_name}, not {table}"
            )
    return heads


def _select_heads(cur, ids: Sequence[str]) -> dict[str, ChainHead]:
    marks = ", ".join(["%s"] * len(ids))
    cur.execute(
        f"SELECT stream_id, table_name, last_seq, last_hash, row_count FROM {HEAD_TABLE} "
        f"WHERE stream_id IN ({marks}) ORDER BY stream_id FOR UPDATE",
        list(ids),
    )
    return {
        r[0]: ChainHead(
            r[0], r[1], int(r[2]), r[3], int(r[4]), start_seq=int(r[2]), start_hash=r[3]
        )
        for r in cur.fetchall()
    }


def save_heads(cur, heads: Iterable[ChainHead], now: datetime) -> None:
    """Write back the heads that advanced (same transaction as the rows)."""
    stamp = _naive_utc(now)
    for head in heads:
        if head.appended:
            cur.execute(
                f"UPDATE {HEAD_TABLE} SET last_seq = %s, last_hash = %s, "
                "row_count = row_count + %s, updated_at = %s WHERE stream_id = %s",
                (head.last_seq, head.last_hash, head.appended, stamp, head.stream_id),
            )


@dataclass
class PreparedRows:
    """Rows of one table, chained and laid out column by column, ready to be written."""

    table: str
    names: tuple[str, ...]
    columns: list[list]

    @property
    def count(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def prepare_chained(
    table: str,
    columns: Sequence[str],
    rows: Iterable[ChainedRow],
    heads: Mapping[str, ChainHead],
) -> PreparedRows:
    """Chain `rows` onto `heads` (advanced in memory): canonical payload, seq, hashes."""
    names = (*CHAIN_COLUMNS, *columns)
    out: list[list] = [[] for _ in names]
    chain_out = out[: len(CHAIN_COLUMNS)]
    value_out = list(zip(columns, out[len(CHAIN_COLUMNS) :], strict=True))
    for row in rows:
        head = heads[row.stream_id]
        values = row.values
        payload = canonical_json({**row.extra, **values} if row.extra else values)
        seq = head.last_seq + 1
        digest = row_hash(row.stream_id, seq, head.last_hash, payload)
        for target, value in zip(
            chain_out, (row.stream_id, seq, digest, head.last_hash, payload), strict=True
        ):
            target.append(value)
        for column, target in value_out:
            target.append(values[column])
        head.last_seq, head.last_hash = seq, digest
        head.appended += 1
    for values in out[len(CHAIN_COLUMNS) :]:
        sample = next((v for v in values if v is not None), None)
        if isinstance(sample, UtcText | datetime):
            values[:] = [_mysql_value(v) for v in values]
    return PreparedRows(table, names, out)


def write_prepared(cur, prepared: PreparedRows, *, load_data: bool = False) -> int:
    """Insert prepared rows (inside the caller's append transaction)."""
    if not prepared.count:
        return 0
    if load_data:
        _load_data(cur, prepared.table, prepared.names, prepared.columns)
    else:
        _insert_batches(cur, prepared.table, prepared.names, prepared.columns)
    return prepared.count


def append_chained(
    cur,
    table: str,
    columns: Sequence[str],
    rows: Iterable[ChainedRow],
    heads: Mapping[str, ChainHead],
    *,
    load_data: bool = False,
) -> int:
    """Chain and insert `rows` into `table`; advance `heads` in memory (see `save_heads`).

    `columns` are the stored business columns every row provides, in insert order. With
    `load_data` the rows go in through LOAD DATA LOCAL INFILE (several times faster than
    batched INSERTs; needs local_infile on the server), else through batched INSERTs.
    """
    return write_prepared(cur, prepare_chained(table, columns, rows, heads), load_data=load_data)


def _insert_batches(cur, table: str, names: Sequence[str], out: list[list]) -> None:
    column_list = ", ".join(quote_ident(c) for c in names)
    marks = ", ".join(["%s"] * len(names))
    statement = f"INSERT INTO {quote_ident(table)} ({column_list}) VALUES ({marks})"
    rows = list(zip(*out, strict=True))
    for start in range(0, len(rows), INSERT_CHUNK):
        try:
            cur.executemany(statement, rows[start : start + INSERT_CHUNK])
        except pymysql.err.IntegrityError as error:
            raise ChainError(
                f"appending to {table} failed (a row is already there, or the chain was "
                f"forked); the batch was rolled back: {error.args[-1]}"
            ) from None


def _load_data(cur, table: str, names: Sequence[str], out: list[list]) -> None:
    """Every value quoted, NULL unquoted, ESCAPED BY '' (as the table loader does): LOCAL
    turns errors into warnings and skips duplicate keys, so any warning or a row count that
    differs fails the append."""
    arrays = [pa.array(values) if values else pa.array([], pa.string()) for values in out]
    fd, path = tempfile.mkstemp(prefix=f"genims_{table}_", suffix=".csv")
    os.close(fd)
    try:
        pacsv.write_csv(
            pa.Table.from_arrays(arrays, names=list(names)),
            path,
            pacsv.WriteOptions(include_header=False, quoting_style="all_valid", null_string="NULL"),
        )
        column_list = ", ".join(quote_ident(c) for c in names)
        loaded = cur.execute(
            f"LOAD DATA LOCAL INFILE %s INTO TABLE {quote_ident(table)} CHARACTER SET utf8mb4 "
            "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' "
            f"LINES TERMINATED BY '\\n' ({column_list})",
            (path,),
        )
    finally:
        os.unlink(path)
    cur.execute("SHOW WARNINGS LIMIT 5")
    problems = [f"{r[2]}" for r in cur.fetchall() if r[0] in ("Warning", "Error")]
    if problems or loaded != len(out[0]):
        raise ChainError(
            f"appending to {table} failed ({loaded} of {len(out[0])} rows loaded; a row is "
            f"already there, or a value was rejected); the batch was rolled back: "
            + "; ".join(problems)
        )


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _mysql_value(value: Any) -> Any:
    """What the database gets for a canonical-ready value (timestamps as naive UTC)."""
    if isinstance(value, UtcText):
        return value.mysql
    if isinstance(value, datetime):
        return _naive_utc(value)
    return value


VERSION_COLUMNS = (*CHAIN_COLUMNS, RECORD_VERSION, CONTENT_HASH, CREATED_AT)


@dataclass(frozen=True)
class AppendVersions:
    """Write mode for source-derived audit tables: append a new version, never update.

    A staged row is appended when its natural `key` is new (`record_version` 1) or when its
    business columns differ from the latest appended version of that key (version + 1);
    unchanged rows are dropped. Appended rows are chained into `stream` (default: the table
    name) exactly like the outbox ingest chains its rows. `prepare` leaves in the staging table
    only the rows that will be appended, with their version filled in, so the data tests see
    what will be published; `publish` decides again under the stream's lock (a concurrent run
    may have appended meanwhile) and appends in one transaction.

    The table must have the columns of `VERSION_COLUMNS`; its grain (PRIMARY KEY) is the
    natural key plus `record_version`. See docs/audit.md.
    """

    key: tuple[str, ...]
    stream: str | None = None
    name: str = "append_versions"
    computed_columns: tuple[str, ...] = field(default=VERSION_COLUMNS, init=False)

    def stream_id(self, spec: TableSpec) -> str:
        return self.stream or spec.name

    def business_columns(self, spec: TableSpec) -> list[str]:
        skip = {*VERSION_COLUMNS, "updated_at"}
        return [c for c in spec.schema.column_names if c not in skip]

    def _check(self, spec: TableSpec) -> None:
        names = set(spec.schema.column_names)
        missing = [c for c in VERSION_COLUMNS if c not in names]
        absent_key = [c for c in self.key if c not in names]
        if missing or absent_key or not self.key:
            raise ChainError(
                f"{spec.name}: AppendVersions needs the columns {', '.join(VERSION_COLUMNS)} "
                f"and a natural key of existing columns (missing: {missing + absent_key}, "
                f"key: {self.key})"
            )

    def _decide(self, cur, spec: TableSpec, staging: str) -> tuple[list[dict], dict[str, int]]:
        """Rows of the staging table that must be appended, with version and content hash."""
        business = self.business_columns(spec)
        cols = ", ".join(quote_ident(c) for c in business)
        cur.execute(f"SELECT {cols} FROM {quote_ident(staging)}")
        staged = [dict(zip(business, row, strict=True)) for row in cur.fetchall()]
        hashed = [
            (row, tuple(row[k] for k in self.key), content_hash(canonical_json(row)))
            for row in staged
        ]
        states: dict[tuple, set[str]] = {}
        for _row, key, digest in hashed:
            states.setdefault(key, set()).add(digest)
        clashes = [key for key, found in states.items() if len(found) > 1]
        if clashes:
            # Two states of one record in one run come from a duplicated key in the source;
            # appending both would invent a change between them, in an arbitrary order.
            raise DataValidationError(
                f"{spec.name}: {len(clashes)} record(s) arrive in more than one state in one "
                f"run (duplicated {', '.join(self.key)} in the source), e.g. "
                f"{dict(zip(self.key, clashes[0], strict=True))}; nothing was appended"
            )
        latest = self._latest(cur, spec, set(states))
        out: list[dict] = []
        counts = {"rows_new": 0, "rows_changed": 0, "rows_unchanged": 0}
        for row, key, digest in hashed:
            previous = latest.get(key)
            if previous is None:
                version = 1
                counts["rows_new"] += 1
            elif previous[1] == digest:
                counts["rows_unchanged"] += 1
                continue
            else:
                version = previous[0] + 1
                counts["rows_changed"] += 1
            latest[key] = (version, digest)
            out.append({**row, RECORD_VERSION: version, CONTENT_HASH: digest})
        return out, counts

    def _latest(self, cur, spec: TableSpec, keys: set[tuple]) -> dict[tuple, tuple[int, str]]:
        """Latest (record_version, content_sha256) of each natural key in `keys`.

        Looked up by bound key values (in chunks), never by joining the staging table: its
        string columns may have another collation than the target's."""
        latest: dict[tuple, tuple[int, str]] = {}
        columns = [quote_ident(k) for k in self.key]
        ordered = sorted(keys, key=repr)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            if len(columns) == 1:
                condition = f"{columns[0]} IN ({', '.join(['%s'] * len(chunk))})"
                params = [k[0] for k in chunk]
            else:
                row = "(" + ", ".join(["%s"] * len(columns)) + ")"
                condition = f"({', '.join(columns)}) IN ({', '.join([row] * len(chunk))})"
                params = [v for k in chunk for v in k]
            cur.execute(
                f"SELECT {', '.join(columns)}, record_version, content_sha256 "
                f"FROM {quote_ident(spec.name)} WHERE {condition}",
                params,
            )
            n = len(columns)
            for found in cur.fetchall():
                key, version = tuple(found[:n]), int(found[n])
                if key not in latest or latest[key][0] < version:
                    latest[key] = (version, found[n + 1])
        return latest

    def prepare(self, load: StagedLoad, spec: TableSpec, window: Window | None) -> dict[str, Any]:
        self._check(spec)
        conn = load.conn
        # Provisional chain values, so tests of NOT NULL columns see complete rows; publish
        # computes the real ones under the stream's lock and never reads these.
        provisional = {
            STREAM_ID: self.stream_id(spec),
            STREAM_SEQ: 0,
            HASH: "",
            PREVIOUS_HASH: "",
            PAYLOAD: "",
            CREATED_AT: _naive_utc(datetime.now(UTC)),
        }
        with conn.cursor() as cur:
            rows, counts = self._decide(cur, spec, load.staging)
            columns = [*self.business_columns(spec), RECORD_VERSION, CONTENT_HASH]
            cur.execute(f"DELETE FROM {quote_ident(load.staging)}")
            if rows:
                names = ", ".join(quote_ident(c) for c in (*columns, *provisional))
                marks = ", ".join(["%s"] * (len(columns) + len(provisional)))
                cur.executemany(
                    f"INSERT INTO {quote_ident(load.staging)} ({names}) VALUES ({marks})",
                    [(*(r[c] for c in columns), *provisional.values()) for r in rows],
                )
        conn.commit()
        return counts

    def publish(
        self, load: StagedLoad, spec: TableSpec, window: Window | None, now: datetime
    ) -> dict[str, Any]:
        from genims_platform.audit import verify

        self._check(spec)
        stamp = _naive_utc(now)
        conn = load.conn
        stream = self.stream_id(spec)
        columns = [*self.business_columns(spec), RECORD_VERSION, CONTENT_HASH, CREATED_AT]
        try:
            begin_append(conn)
            with conn.cursor() as cur:
                heads = lock_heads(cur, {stream: spec.name})
                rows, counts = self._decide(cur, spec, load.staging)
                appended = append_chained(
                    cur,
                    spec.name,
                    columns,
                    (ChainedRow(stream, {**r, CREATED_AT: stamp}) for r in rows),
                    heads,
                )
                save_heads(cur, heads.values(), stamp)
                verify.record_incremental(cur, heads.values(), stamp)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        # New/changed/unchanged counts come from `prepare`; here only what was appended and
        # what a concurrent append made redundant in between.
        return {
            "rows_published": appended,
            "rows_superseded_meanwhile": counts["rows_unchanged"],
            "stream": stream,
        }
