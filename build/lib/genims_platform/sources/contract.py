"""The source contract: the 13 PostgreSQL databases and the tables the platform reads.

`apply_contract` creates a database when it is missing and applies `sql/source/<logical>.sql`
(between the shared `_common.sql` and `_finish.sql`) in one transaction. The SHA-256 of what was
applied is kept in `genims.contract_versions`, so a rerun with an unchanged contract executes
nothing at all, and a changed contract is re-applied (every statement is idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass

from genims_platform.catalog import SOURCE_DATABASES, check_source
from genims_platform.lib import pg
from genims_platform.lib.sqlfiles import load_sql, sha256_text
from genims_platform.settings import Settings

LEDGER = """
CREATE SCHEMA IF NOT EXISTS genims;
CREATE TABLE IF NOT EXISTS genims.contract_versions (
    contract    text PRIMARY KEY,
    sha256      text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
"""


@dataclass(frozen=True)
class ContractResult:
    logical: str
    database: str
    created: bool
    applied: bool


def contract_sql(logical: str) -> str:
    check_source(logical)
    return "\n".join(
        [
            load_sql("source", "_common.sql"),
            load_sql("source", f"{logical}.sql"),
            load_sql("source", "_finish.sql"),
        ]
    )


def apply_contract(settings: Settings, logical: str, *, force: bool = False) -> ContractResult:
    """Create the source database `logical` if needed and bring its tables up to the contract."""
    database = settings.source_db(logical)
    created = pg.create_database(settings.pg_primary, database)
    script = contract_sql(logical)
    digest = sha256_text(script)
    with pg.connect(settings.pg_primary, database, logical=logical) as conn:
        conn.execute("SET LOCAL client_min_messages = warning")
        # One init per database at a time; the lock ends with the transaction.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('genims_contract'))")
        conn.execute(LEDGER)
        row = conn.execute(
            "SELECT sha256 FROM genims.contract_versions WHERE contract = %s", (logical,)
        ).fetchone()
        if row and row[0] == digest and not force:
            return ContractResult(logical, database, created, applied=False)
        conn.execute(script)
        conn.execute(
            "INSERT INTO genims.contract_versions (contract, sha256) VALUES (%s, %s) "
            "ON CONFLICT (contract) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()",
            (logical, digest),
        )
    return ContractResult(logical, database, created, applied=True)


def source_tables(settings: Settings, logical: str) -> list[str]:
    """Names of the contract's tables in one source database, as they exist now."""
    with pg.connect(settings.read_server(), settings.source_db(logical), logical=logical) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    return [name for (name,) in rows]


def all_sources() -> list[str]:
    return list(SOURCE_DATABASES)
