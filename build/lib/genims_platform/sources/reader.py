"""The ETL's read-only login on the 13 source databases (``PG_ETL_USER`` / ``PG_ETL_PASSWORD``).

`genims db init` creates the login (when a password is set) and applies the grants of
``sql/source/etl_reader_grants.sql`` to every source database: SELECT on the contract's tables
(also those added later), read access to the change-capture outbox, nothing that writes. The
Dagster deployment then logs in with it (``PG_MASTER_USER`` / ``PG_REPLICA_USER``), while the
owner account that runs `genims db init` stays out of the running platform.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

from genims_platform.lib import pg
from genims_platform.lib.errors import GenimsError, first_line, scrub
from genims_platform.lib.sqlfiles import load_sql
from genims_platform.settings import Settings

_SECTION = re.compile(r"^-- section: (.+)$", re.MULTILINE)


class ReaderGrantError(GenimsError):
    """The read-only login or its grants could not be applied."""


def _statements(section: str) -> list[str]:
    lines = [line for line in section.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def grant_sections() -> dict[str, list[str]]:
    """The statements of each section of the grants file (``-- section: <name>`` starts one)."""
    parts = _SECTION.split(load_sql("source", "etl_reader_grants.sql"))
    return {parts[i].strip(): _statements(parts[i + 1]) for i in range(1, len(parts), 2)}


def _fail(settings: Settings, what: str, error: psycopg.Error) -> ReaderGrantError:
    reason = scrub(first_line(error), [settings.pg_primary.password, settings.etl_reader.password])
    return ReaderGrantError(
        f"{what} failed: {reason}; PG_MASTER_USER needs CREATEROLE and must own the source "
        "databases"
    )


def ensure_login(settings: Settings) -> bool:
    """Create or update the login (password as a SCRAM verifier); False without a password."""
    reader = settings.etl_reader
    if not reader.password:
        return False
    role = sql.Identifier(reader.user)
    try:
        with pg.connect(settings.pg_primary, "postgres", autocommit=True) as conn:
            # The server only ever sees the verifier, never the password (not even in a
            # statement log).
            verifier = conn.pgconn.encrypt_password(
                reader.password.encode(), reader.user.encode(), b"scram-sha-256"
            ).decode()
            exists = conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (reader.user,)
            ).fetchone()
            if exists is None:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
            conn.execute(
                sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(role, sql.Literal(verifier))
            )
            for statement in grant_sections()["server"]:
                conn.execute(sql.SQL(statement).format(role=role))
    except psycopg.Error as error:
        raise _fail(settings, f"creating the ETL login {reader.user!r}", error) from None
    return True


def grant_database(settings: Settings, logical: str) -> None:
    """Apply the per-database grants of the login to one source database."""
    reader = settings.etl_reader
    database = settings.source_db(logical)
    values = {"role": sql.Identifier(reader.user), "database": sql.Identifier(database)}
    try:
        with pg.connect(settings.pg_primary, database, logical=logical) as conn:
            for statement in grant_sections()["database"]:
                conn.execute(sql.SQL(statement).format(**values))
    except psycopg.Error as error:
        raise _fail(
            settings, f"granting {reader.user!r} read access to {database}", error
        ) from None
