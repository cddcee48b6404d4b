"""MySQL connections (PyMySQL) with errors that name the database and the setting to fix."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pymysql
import pymysql.cursors

from genims_platform.lib.errors import DatabaseUnavailableError, first_line, scrub
from genims_platform.settings import MySqlTarget

# MySQL error numbers the platform reacts to.
ER_BAD_DB = 1049
ER_ACCESS_DENIED = 1045
ER_DBACCESS_DENIED = 1044
CR_CONN_HOST_ERROR = 2003
# Connection failures that waiting can cure: too many connections, server shutting down, no
# socket/TCP answer, server gone away or lost during the handshake.
TRANSIENT_CONNECT = frozenset({1040, 1053, 2002, CR_CONN_HOST_ERROR, 2006, 2013})


def connect_args(target: MySqlTarget, *, database: str | None, local_infile: bool = False) -> dict:
    args = {
        "host": target.host,
        "port": target.port,
        "user": target.user,
        "password": target.password,
        "charset": target.charset,
        "connect_timeout": target.timeout,
        "autocommit": False,
        "local_infile": local_infile,
        # Reporting rows carry DECIMALs and dates; return them as Python types, never floats.
        "cursorclass": pymysql.cursors.Cursor,
    }
    if database:
        args["database"] = database
    if target.ssl_ca:
        if not os.path.isfile(target.ssl_ca):
            # The driver would only say "No such file or directory".
            raise DatabaseUnavailableError(
                f"{target.env_prefix}_SSL_CA names {target.ssl_ca!r}, which is not a file; "
                "point it at the CA certificate (PEM) of the MySQL server"
            )
        # TLS is then required (no fallback to plaintext) and the certificate is verified
        # against the CA, and its host name too unless SSL_VERIFY_IDENTITY is off.
        args["ssl_ca"] = target.ssl_ca
        args["ssl_verify_cert"] = True
        args["ssl_verify_identity"] = target.ssl_verify_identity
    return args


def explain_failure(exc: BaseException, target: MySqlTarget, database: str | None):
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    reason = scrub(first_line(exc), [target.password])
    prefix = target.env_prefix
    lowered = reason.lower()
    if code == ER_BAD_DB:
        hint = f"run `genims db init`, or set {prefix}_DB to the existing name"
    elif "insecure transport" in lowered:
        hint = f"the server requires TLS: set {prefix}_SSL_CA to the CA of its certificate"
    elif "ssl" in lowered or "certificate" in lowered or "hostname" in lowered:
        hint = (
            f"check {prefix}_SSL_CA (the CA that signed the server's certificate) and "
            f"{prefix}_SSL_VERIFY_IDENTITY (the host name must match the certificate)"
        )
    elif code in (ER_ACCESS_DENIED, ER_DBACCESS_DENIED):
        hint = f"check {prefix}_USER and {prefix}_PASSWORD"
        if not target.ssl_ca:
            # MariaDB refuses an unencrypted login under require_secure_transport with this
            # same error.
            hint += f", and set {prefix}_SSL_CA if the server requires TLS"
    else:
        hint = f"check {prefix}_HOST and {prefix}_PORT, and that the server is running"
    where = f"{target.user}@{target.host}:{target.port}"
    name = database or "(server)"
    return DatabaseUnavailableError(
        f"cannot connect to MySQL database {name!r} ({target.logical}) at {where}: "
        f"{reason}; {hint}",
        transient=code in TRANSIENT_CONNECT,
    )


@contextmanager
def connect(
    target: MySqlTarget,
    *,
    database: str | None = "",
    local_infile: bool = False,
    autocommit: bool = False,
) -> Iterator[pymysql.connections.Connection]:
    """Open one connection to `target`: its own database, `database` if given, none if None."""
    dbname = target.database if database == "" else database
    try:
        conn = pymysql.connect(**connect_args(target, database=dbname, local_infile=local_infile))
    except pymysql.err.MySQLError as exc:
        raise explain_failure(exc, target, dbname) from None
    try:
        conn.autocommit(autocommit)
        yield conn
        if not autocommit:
            conn.commit()
    except BaseException:
        if not autocommit:
            with suppress(pymysql.err.MySQLError):
                conn.rollback()
        raise
    finally:
        with suppress(pymysql.err.Error):
            conn.close()


def quote_ident(name: str) -> str:
    """Quote an identifier taken from the platform's own catalogue."""
    if not name or "`" in name or "\x00" in name:
        raise ValueError(f"not a usable MySQL identifier: {name!r}")
    return f"`{name}`"
