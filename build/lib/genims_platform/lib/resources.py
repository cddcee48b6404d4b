"""Dagster resources: one per logical source database (PostgreSQL) and one per MySQL database.

Values arrive through `dg.EnvVar`s resolved at launch time (see `genims_platform.definitions`).
Connections are pooled per process with SQLAlchemy's pool over the raw drivers (psycopg 3 and
PyMySQL), so a run that touches a database several times logs in once; each checkout pings the
connection and replaces it transparently if the server dropped it.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import dagster as dg
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import pymysql
from pydantic import PrivateAttr
from sqlalchemy import event, exc, pool

from genims_platform.lib import mysql as mysql_lib
from genims_platform.lib import pg as pg_lib
from genims_platform.lib.errors import DatabaseUnavailableError
from genims_platform.settings import (
    MySqlTarget,
    PgServer,
    SettingsError,
    check_host,
    check_identifier,
    check_login,
)

_POOLS: dict[tuple, pool.QueuePool] = {}
_POOLS_LOCK = threading.Lock()


def _pool(key: tuple, creator, ping) -> pool.QueuePool:
    with _POOLS_LOCK:
        existing = _POOLS.get(key)
        if existing is None:
            existing = pool.QueuePool(
                creator, pool_size=2, max_overflow=6, timeout=60, recycle=1800
            )

            def checkout(dbapi_connection, _record, _proxy):
                try:
                    ping(dbapi_connection)
                except Exception as error:  # any driver failure means: get a fresh connection
                    raise exc.DisconnectionError() from error

            event.listen(existing, "checkout", checkout)
            _POOLS[key] = existing
    return existing


def _login_key(password: str, *tls: str | bool | None) -> tuple:
    """What, besides host, port, user and database, makes two logins different: a pool is never
    shared between a right and a wrong password or CA (a cached connection would hide the
    error). The password enters the key only as a digest."""
    return (hashlib.sha256(password.encode()).hexdigest(), *tls)


def dispose_pools() -> None:
    """Close every pooled connection of this process (tests, and after a fork)."""
    with _POOLS_LOCK:
        for p in _POOLS.values():
            p.dispose()
        _POOLS.clear()


# PostgreSQL type OIDs the CSV path carries faithfully, and their Arrow types.
_ARROW_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int64(),
    23: pa.int64(),
    26: pa.int64(),
    700: pa.float64(),
    701: pa.float64(),
    1700: pa.float64(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    25: pa.string(),
    1043: pa.string(),
    1042: pa.string(),
    19: pa.string(),
}
_EMPTY_DTYPES = {pa.int64(): "int64", pa.float64(): "float64", pa.bool_(): "bool"}


def _pg_ping(conn: psycopg.Connection) -> None:
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("connection closed")
    conn.execute("SELECT 1")
    conn.rollback()


class PostgresSource(dg.ConfigurableResource):
    """Read access to one of the 13 source databases (the replica when one is configured)."""

    logical: str
    database: str
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    sslmode: str = "prefer"
    sslrootcert: str = ""
    replica_host: str = ""
    replica_port: int = 5432
    replica_user: str = ""
    replica_password: str = ""
    # Empty: as the primary's (PG_MASTER_SSLMODE / PG_MASTER_SSLROOTCERT).
    replica_sslmode: str = ""
    replica_sslrootcert: str = ""
    statement_timeout_s: int = 300

    def server(self, *, primary: bool = False) -> PgServer:
        """The server reads go to: the replica if set (unless `primary`), else the primary."""
        if self.replica_host and not primary:
            return PgServer(
                host=self.replica_host,
                port=self.replica_port,
                user=self.replica_user or self.user,
                password=self.replica_password or self.password,
                sslmode=self.replica_sslmode or self.sslmode,
                sslrootcert=self.replica_sslrootcert or self.sslrootcert or None,
                env_prefix="PG_REPLICA",
            )
        return PgServer(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            sslmode=self.sslmode,
            sslrootcert=self.sslrootcert or None,
            env_prefix="PG_MASTER",
        )

    @contextmanager
    def connect(self, *, primary: bool = False) -> Iterator[psycopg.Connection]:
        """A pooled connection in UTC; the transaction is rolled back when it goes back."""
        server = self.server(primary=primary)
        # Values arrive from the environment at launch without passing through the settings:
        # the same checks apply here.
        check_identifier(f"PG_DATABASE_{self.logical.upper()}", self.database)
        check_host(f"{server.env_prefix}_HOST", server.host)
        check_login(f"{server.env_prefix}_USER", server.user)
        params = pg_lib.conninfo(server, self.database)
        # JIT compilation costs ~0.9 s per analytic query here and never pays off on windows of
        # a few days; extraction sessions switch it off.
        params["options"] = (
            f"-c TimeZone=UTC -c statement_timeout={self.statement_timeout_s * 1000} -c jit=off"
        )

        def create():
            try:
                return psycopg.connect(**params)
            except psycopg.OperationalError as error:
                raise pg_lib.explain_failure(error, server, self.database, self.logical) from None

        key = (
            "pg",
            server.host,
            server.port,
            server.user,
            self.database,
            *_login_key(server.password, server.sslmode, server.sslrootcert),
        )
        fairy = _pool(key, create, _pg_ping).connect()
        try:
            yield fairy.dbapi_connection
        finally:
            fairy.close()

    def query_df(self, sql_text: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        """Run one read-only query and return its rows as a DataFrame.

        Rows travel as `COPY (query) TO STDOUT` in CSV and are parsed by Arrow with the column
        types PostgreSQL reports for the query (numerics as float64), which is several times
        faster than building Python tuples; queries returning types CSV cannot carry faithfully
        (arrays, JSON) fall back to ordinary fetching.
        """
        body = sql_text.strip().rstrip(";")
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute("SET TRANSACTION READ ONLY")
            # Describe the query (column names and types) without running it.
            cur.execute(f"SELECT * FROM (\n{body}\n) AS q LIMIT 0", params or {})  # noqa: S608
            names = [d.name for d in cur.description]
            types = [_ARROW_TYPES.get(d.type_code) for d in cur.description]
            if any(t is None for t in types) or len(set(names)) != len(names):
                cur.execute(sql_text, params or {})
                rows = cur.fetchall()
                conn.rollback()
                return pd.DataFrame.from_records(rows, columns=names)
            buffer = io.BytesIO()
            with cur.copy(
                f"COPY (\n{body}\n) TO STDOUT WITH (FORMAT csv, NULL '\\N')", params or {}
            ) as copy:
                for block in copy:
                    buffer.write(block)
            conn.rollback()
        if buffer.tell() == 0:
            return pd.DataFrame(
                {
                    n: pd.Series(dtype=_EMPTY_DTYPES.get(t, object))
                    for n, t in zip(names, types, strict=True)
                }
            )
        buffer.seek(0)
        table = pacsv.read_csv(
            buffer,
            read_options=pacsv.ReadOptions(column_names=names),
            convert_options=pacsv.ConvertOptions(
                column_types=dict(zip(names, types, strict=True)),
                null_values=["\\N"],
                # PostgreSQL writes booleans as t/f in CSV.
                true_values=["t"],
                false_values=["f"],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        return table.to_pandas()

    def scalar(self, sql_text: str, params: dict[str, Any] | None = None) -> Any:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql_text, params or {})
            row = cur.fetchone()
            conn.rollback()
        return None if row is None else row[0]


def _mysql_ping(conn: pymysql.connections.Connection) -> None:
    conn.ping(reconnect=False)


class MySQLDatabase(dg.ConfigurableResource):
    """One of the three MySQL databases: reporting, analytics or audit."""

    logical: str
    database: str
    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = ""
    charset: str = "utf8mb4"
    timeout: int = 30
    ssl_ca: str = ""
    # "true" (default) or "false": whether the certificate's host name must match `host`.
    ssl_verify_identity: str = "true"
    batch_size: int = 1000
    # "auto": LOAD DATA LOCAL INFILE when the server allows it, else batched INSERTs;
    # "load_data" or "insert" force one path (some managed servers forbid LOCAL INFILE).
    load_method: str = "auto"

    _local_infile: bool | None = PrivateAttr(default=None)

    def target(self) -> MySqlTarget:
        prefix = f"MYSQL_{self.logical.upper()}"
        check_identifier(f"{prefix}_DB", self.database)
        check_host(f"{prefix}_HOST", self.host)
        check_login(f"{prefix}_USER", self.user)
        check_identifier(f"{prefix}_CHARSET", self.charset)
        verify = str(self.ssl_verify_identity).strip().lower()
        if verify not in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
            raise SettingsError(
                f"{prefix}_SSL_VERIFY_IDENTITY must be true or false, got {verify!r}"
            )
        return MySqlTarget(
            logical=self.logical,
            host=self.host,
            port=self.port,
            database=self.database,
            user=self.user,
            password=self.password,
            charset=self.charset,
            timeout=self.timeout,
            ssl_ca=self.ssl_ca or None,
            ssl_verify_identity=verify in {"true", "1", "yes", "on"},
        )

    @contextmanager
    def connect(self) -> Iterator[pymysql.connections.Connection]:
        """A pooled connection (autocommit off, LOCAL INFILE allowed on the client side)."""
        target = self.target()
        args = mysql_lib.connect_args(target, database=self.database, local_infile=True)

        def create():
            try:
                conn = pymysql.connect(**args)
            except pymysql.err.MySQLError as error:
                raise mysql_lib.explain_failure(error, target, self.database) from None
            with conn.cursor() as cur:
                # Fail on bad data instead of truncating it, in every session the platform opens.
                cur.execute(
                    "SET SESSION sql_mode = "
                    "CONCAT_WS(',', NULLIF(@@sql_mode, ''), 'STRICT_ALL_TABLES')"
                )
                cur.execute("SET SESSION time_zone = '+00:00'")
            return conn

        key = (
            "mysql",
            target.host,
            target.port,
            target.user,
            self.database,
            *_login_key(target.password, target.ssl_ca, target.ssl_verify_identity),
        )
        fairy = _pool(key, create, _mysql_ping).connect()
        try:
            yield fairy.dbapi_connection
        finally:
            fairy.close()

    def local_infile_allowed(self) -> bool:
        """Whether bulk loads use LOAD DATA LOCAL INFILE: as configured, or (auto) whether the
        server accepts it, asked once per resource."""
        if self.load_method not in {"auto", "load_data", "insert"}:
            raise ValueError(
                f"ETL_LOAD_METHOD must be auto, load_data or insert, got {self.load_method!r}"
            )
        if self.load_method != "auto":
            return self.load_method == "load_data"
        if self._local_infile is None:
            with self.connect() as conn, conn.cursor() as cur:
                cur.execute("SELECT @@GLOBAL.local_infile")
                self._local_infile = bool(int(cur.fetchone()[0]))
        return self._local_infile

    def query(self, sql_text: str, params: Sequence | dict | None = None) -> list[tuple]:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql_text, params)
            rows = list(cur.fetchall())
            conn.commit()
        return rows

    def scalar(self, sql_text: str, params: Sequence | dict | None = None) -> Any:
        rows = self.query(sql_text, params)
        return rows[0][0] if rows else None

    def query_df(self, sql_text: str, params: Sequence | dict | None = None) -> pd.DataFrame:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(sql_text, params)
            columns = [d[0] for d in cur.description]
            rows = cur.fetchall()
            conn.commit()
        return pd.DataFrame.from_records(list(rows), columns=columns)


__all__ = [
    "DatabaseUnavailableError",
    "MySQLDatabase",
    "PostgresSource",
    "dispose_pools",
]
