"""The three MySQL databases: creation (utf8mb4) and schema migrations."""

from __future__ import annotations

from dataclasses import dataclass

from genims_platform.catalog import TARGET_DATABASES
from genims_platform.lib import migrations, mysql
from genims_platform.lib.errors import GenimsError
from genims_platform.settings import Settings

CHARSET = "utf8mb4"
COLLATION = "utf8mb4_unicode_ci"


@dataclass(frozen=True)
class TargetResult:
    logical: str
    database: str
    created: bool
    migrations_applied: list[str]


def create_target(settings: Settings, logical: str) -> bool:
    """Create the MySQL database `logical` (utf8mb4) if missing; return True when created."""
    target = settings.target(logical)
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA "
            "WHERE SCHEMA_NAME = %s",
            (target.database,),
        )
        row = cur.fetchone()
        if row is not None:
            if row[0] != CHARSET:
                raise GenimsError(
                    f"MySQL database {target.database!r} exists with character set {row[0]!r}; "
                    f"the platform needs {CHARSET}. Convert it or set {target.env_prefix}_DB "
                    "to another name."
                )
            return False
        cur.execute(
            f"CREATE DATABASE IF NOT EXISTS {mysql.quote_ident(target.database)} "
            f"CHARACTER SET {CHARSET} COLLATE {COLLATION}"
        )
    return True


def init_target(settings: Settings, logical: str, log=lambda message: None) -> TargetResult:
    created = create_target(settings, logical)
    applied = migrations.migrate(settings.target(logical), log=log)
    return TargetResult(
        logical,
        settings.target(logical).database,
        created,
        [f"{m.version:04d}_{m.name}" for m in applied],
    )


def all_targets() -> list[str]:
    return list(TARGET_DATABASES)
