"""PostgreSQL connections (psycopg 3) with errors that name the database and the setting to fix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from genims_platform.lib.errors import DatabaseUnavailableError, first_line, scrub
from genims_platform.settings import PgServer

APPLICATION_NAME = "genims_platform"


def conninfo(server: PgServer, database: str, application_name: str = APPLICATION_NAME) -> dict:
    params = {
        "host": server.host,
        "port": server.port,
        "user": server.user,
        "dbname": database,
        "application_name": application_name,
        "connect_timeout": 10,
        "sslmode": server.sslmode,
    }
    if server.password:
        params["password"] = server.password
    if server.sslrootcert:
        params["sslrootcert"] = server.sslrootcert
    return params


def explain_failure(
    exc: BaseException, server: PgServer, database: str, logical: str | None
) -> DatabaseUnavailableError:
    """Turn a driver error into a message that names the database and the variables to check."""
    reason = scrub(first_line(exc), [server.password])
    what = f"PostgreSQL database {database!r}" + (f" (source {logical!r})" if logical else "")
    prefix = server.env_prefix
    transient = False
    if "does not exist" in reason and "database" in reason:
        hint = "run `genims db init`" + (
            f", or set PG_DATABASE_{logical.upper()} to the existing name" if logical else ""
        )
    elif "no encryption" in reason:
        hint = (
            f"the server accepts only encrypted connections: set {prefix}_SSLMODE=verify-full "
            f"and {prefix}_SSLROOTCERT to the CA that signed its certificate"
        )
    elif "ssl" in reason.lower() or "certificate" in reason.lower():
        hint = (
            f"check {prefix}_SSLMODE and {prefix}_SSLROOTCERT (the CA that signed the server's "
            "certificate; verify-full also needs the host name to match it)"
        )
    elif "password" in reason or "authentication" in reason or "role" in reason:
        hint = f"check {prefix}_USER and {prefix}_PASSWORD"
    else:
        # Refused, timed out, starting up or shutting down: worth another attempt later (a
        # missing database, a login or TLS problem needs a change of settings first).
        transient = True
        hint = f"check {prefix}_HOST and {prefix}_PORT, and that the server is running"
    return DatabaseUnavailableError(
        f"cannot connect to {what} at {server.describe()}: {reason}; {hint}",
        transient=transient,
    )


@contextmanager
def connect(
    server: PgServer,
    database: str,
    *,
    logical: str | None = None,
    autocommit: bool = False,
    application_name: str = APPLICATION_NAME,
) -> Iterator[psycopg.Connection]:
    """Open one connection; close it on exit (commit on success unless autocommit)."""
    try:
        conn = psycopg.connect(
            **conninfo(server, database, application_name), autocommit=autocommit
        )
    except psycopg.OperationalError as exc:
        raise explain_failure(exc, server, database, logical) from None
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def database_exists(server: PgServer, database: str) -> bool:
    with connect(server, "postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
    return row is not None


def create_database(server: PgServer, database: str) -> bool:
    """Create `database` if it is missing; return True when it was created."""
    if database_exists(server, database):
        return False
    with connect(server, "postgres", autocommit=True) as conn:
        try:
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(database)
                )
            )
        except psycopg.errors.DuplicateDatabase:
            return False
    return True


def drop_database(server: PgServer, database: str) -> None:
    with connect(server, "postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )
