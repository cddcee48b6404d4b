"""Versioned, idempotent schema migrations for the three MySQL databases.

Migrations are files `sql/mysql/<target>/NNNN_<name>.sql`, applied in version order. Each applied
version is recorded in the target's `schema_migrations` table with the SHA-256 of its text, so a
rerun applies only what is new, and an applied migration that was edited afterwards is refused
(fix it with a new migration instead). A named lock keeps two processes from migrating at once.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql

from genims_platform.lib import mysql
from genims_platform.lib.errors import GenimsError
from genims_platform.lib.sqlfiles import SQL_ROOT, sha256_text, split_statements
from genims_platform.settings import MySqlTarget

MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version       INT UNSIGNED NOT NULL PRIMARY KEY,
    name          VARCHAR(200) NOT NULL,
    checksum      CHAR(64) NOT NULL,
    applied_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    execution_ms  INT UNSIGNED NOT NULL,
    applied_by    VARCHAR(200) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Schema migrations applied by genims db init'
"""


class MigrationError(GenimsError):
    """A migration could not be applied, or an applied one was changed."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return sha256_text(self.text)


@dataclass(frozen=True)
class AppliedMigration:
    version: int
    name: str
    checksum: str
    execution_ms: int


def discover(target_logical: str, root: Path | None = None) -> list[Migration]:
    folder = (root or SQL_ROOT / "mysql") / target_logical
    migrations: list[Migration] = []
    seen: dict[int, Path] = {}
    for path in sorted(folder.glob("*.sql")) if folder.is_dir() else []:
        match = MIGRATION_FILE.match(path.name)
        if not match:
            raise MigrationError(
                f"{path.name}: migration files must be named NNNN_lower_snake_name.sql"
            )
        version = int(match.group(1))
        if version in seen:
            raise MigrationError(
                f"migration version {version} used twice: {seen[version].name}, {path.name}"
            )
        seen[version] = path
        migrations.append(Migration(version, match.group(2), path))
    return migrations


def applied(conn: pymysql.connections.Connection) -> dict[int, AppliedMigration]:
    with conn.cursor() as cur:
        cur.execute(CREATE_LEDGER)
        cur.execute("SELECT version, name, checksum, execution_ms FROM schema_migrations")
        return {row[0]: AppliedMigration(*row) for row in cur.fetchall()}


def migrate(
    target: MySqlTarget, *, root: Path | None = None, log=lambda message: None
) -> list[AppliedMigration]:
    """Apply every pending migration of `target`; return what was applied now."""
    migrations = discover(target.logical, root)
    newly: list[AppliedMigration] = []
    with mysql.connect(target, autocommit=True) as conn, conn.cursor() as cur:
        lock = f"genims_migrate_{target.database}"
        cur.execute("SELECT GET_LOCK(%s, 120)", (lock,))
        if cur.fetchone()[0] != 1:
            raise MigrationError(f"another process is migrating {target.database}; try again")
        try:
            done = applied(conn)
            for migration in migrations:
                record = done.get(migration.version)
                if record is not None:
                    if record.checksum != migration.checksum:
                        raise MigrationError(
                            f"{target.database}: migration {migration.path.name} was changed after "
                            "it was applied; revert the edit and add a new migration instead"
                        )
                    continue
                newly.append(_apply(cur, target, migration))
                log(f"{target.database}: applied {migration.path.name}")
        finally:
            cur.execute("SELECT RELEASE_LOCK(%s)", (lock,))
    return newly


def _apply(cur, target: MySqlTarget, migration: Migration) -> AppliedMigration:
    started = time.perf_counter()
    for number, statement in enumerate(split_statements(migration.text), start=1):
        try:
            cur.execute(statement)
        except pymysql.err.MySQLError as exc:
            # MySQL commits DDL implicitly, so earlier statements of this file stay applied;
            # migrations are written with IF NOT EXISTS so that a rerun after the fix completes.
            raise MigrationError(
                f"{target.database}: {migration.path.name}, statement {number} failed: "
                f"{exc.args[-1] if exc.args else exc}"
            ) from None
    elapsed = int((time.perf_counter() - started) * 1000)
    cur.execute(
        "INSERT INTO schema_migrations (version, name, checksum, execution_ms, applied_by) "
        "VALUES (%s, %s, %s, %s, CURRENT_USER())",
        (migration.version, migration.name, migration.checksum, elapsed),
    )
    return AppliedMigration(migration.version, migration.name, migration.checksum, elapsed)
