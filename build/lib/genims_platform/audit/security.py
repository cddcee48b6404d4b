"""Append-only enforcement and least-privilege accounts of the audit database.

Applied by `genims db init` after the migrations (idempotent, so also after new audit tables
arrive): the append-only triggers of `sql/audit/append_only_triggers.sql` on every table that
carries a hash chain, the roles and grants of `sql/audit/grants.sql`, and the login accounts of
the settings (``MYSQL_AUDIT_<ROLE>_USER/PASSWORD``; an account without a password is not
created). Passwords travel only as bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pymysql

from genims_platform.audit.verify import chained_tables
from genims_platform.lib import mysql
from genims_platform.lib.errors import GenimsError, first_line, scrub
from genims_platform.lib.sqlfiles import load_sql, split_statements
from genims_platform.settings import AuditAccount, Settings

ROLES = {
    "ingest": "genims_audit_ingest_role",
    "compliance": "genims_audit_compliance_role",
    "retention": "genims_audit_retention_role",
}
_SECTION = re.compile(r"^-- section: (.+)$", re.MULTILINE)


class SecurityError(GenimsError):
    """Roles, grants or triggers could not be applied."""


@dataclass
class SecurityReport:
    triggers: list[str] = field(default_factory=list)
    grants: int = 0
    accounts: list[str] = field(default_factory=list)
    skipped_accounts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"append-only triggers on {len(self.triggers)} tables, {self.grants} grants, "
            f"accounts: {', '.join(self.accounts) or 'none'}"
        )
        if self.skipped_accounts:
            text += f" (no password set for {', '.join(self.skipped_accounts)})"
        return text


def sections(text: str) -> dict[str, str]:
    """The named sections of a SQL file (``-- section: <name>`` lines start them)."""
    parts = _SECTION.split(text)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def _single_statement(section: str) -> str:
    lines = [line for line in section.splitlines() if not line.strip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";").strip()


def is_mariadb(cur) -> bool:
    cur.execute("SELECT VERSION()")
    return "mariadb" in cur.fetchone()[0].lower()


def trigger_statements(table: str, database: str, mariadb: bool) -> list[str]:
    """CREATE statements of the two triggers of `table` (replacing existing ones)."""
    parts = sections(load_sql("audit", "append_only_triggers.sql"))
    where = f"{database}.{table}"[:60]
    values = {
        "table": mysql.quote_ident(table),
        "table_name": table,
        "update_trigger": mysql.quote_ident(f"{table[:50]}_no_update"),
        "delete_trigger": mysql.quote_ident(f"{table[:50]}_no_delete"),
        "message_update": f"{where} is append-only: UPDATE refused",
        "message_delete": f"{where} is append-only: DELETE refused (only retention purges)",
        "message_retention": f"{where}: DELETE refused, row within its retention period",
        "message_hold": f"{where}: DELETE refused, row under legal hold",
    }
    out = []
    for name in ("update", "delete"):
        statement = _single_statement(parts[name]).format(**values)
        if mariadb:
            statement = statement.replace("CREATE TRIGGER", "CREATE OR REPLACE TRIGGER", 1)
        out.append(statement)
    return out


def install_triggers(cur, database: str) -> list[str]:
    mariadb = is_mariadb(cur)
    tables = chained_tables(cur)
    for table in tables:
        for statement in trigger_statements(table, database, mariadb):
            if not mariadb:
                name = statement.split()[2]
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")
            cur.execute(statement)
    return tables


def _account(cur, account: AuditAccount, host: str, mariadb: bool) -> None:
    login = (account.user, host)
    cur.execute("CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s", (*login, account.password))
    cur.execute("ALTER USER %s@%s IDENTIFIED BY %s", (*login, account.password))
    role = ROLES[account.role]
    cur.execute(f"GRANT {role} TO %s@%s", login)
    if mariadb:
        cur.execute(f"SET DEFAULT ROLE {role} FOR %s@%s", login)
    else:
        cur.execute(f"SET DEFAULT ROLE {role} TO %s@%s", login)


def apply_security(settings: Settings, log=lambda message: None) -> SecurityReport:
    """Install the triggers, roles, grants and accounts of the audit database."""
    target = settings.target("audit")
    audit = settings.audit
    report = SecurityReport()
    secrets = [target.password, *(a.password for a in audit.accounts)]
    db = mysql.quote_ident(target.database)
    try:
        with mysql.connect(target, autocommit=True) as conn, conn.cursor() as cur:
            mariadb = is_mariadb(cur)
            report.triggers = install_triggers(cur, target.database)
            parts = sections(load_sql("audit", "grants.sql"))
            for name in ("roles", "database"):
                for statement in split_statements(parts[name]):
                    cur.execute(statement.format(db=db))
                    report.grants += name == "database"
            for table in report.triggers:
                for statement in split_statements(parts["per chained table"]):
                    cur.execute(statement.format(db=db, table=mysql.quote_ident(table)))
                    report.grants += 1
            for account in audit.accounts:
                if not account.password:
                    report.skipped_accounts.append(account.user)
                    continue
                _account(cur, account, audit.account_host, mariadb)
                report.accounts.append(account.user)
    except pymysql.err.MySQLError as error:
        reason = scrub(first_line(error), secrets)
        hint = (
            f"; {target.env_prefix}_USER needs CREATE USER, CREATE ROLE, TRIGGER and GRANT "
            "OPTION on the audit database"
            if error.args and error.args[0] in (1044, 1045, 1142, 1227, 1410)
            else ""
        )
        raise SecurityError(
            f"applying the audit database's roles, grants and triggers failed: {reason}{hint}"
        ) from None
    log(f"audit security: {report.summary()}")
    return report
