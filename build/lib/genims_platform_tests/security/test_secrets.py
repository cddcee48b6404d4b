"""No secret in anything the platform writes.

Distinctive secrets are set where a deployment sets them (environment variables): the password
of a least-privilege reporting writer created for the test (with the grants docs/security.md
documents), the audit accounts' passwords, the PostgreSQL and instance-storage passwords and an
Azure connection string with the Azurite account key. Then the platform works: a reporting
partition, the audit ingest, the integrity export to blob storage, a run that fails on a wrong
password, the self-audit of all of it, failing CLI commands and failing connections. Everything
written is scanned for each secret, verbatim and URL-encoded: every row of the Dagster instance's
storage database (runs, all events with their metadata, errors and stack traces), the files under
the instance directory (captured stdout/stderr), Python logging, every row of the audit and
reporting databases, the CLI's output and the exception texts. A canary value that is not a
secret is written through the same channels and must be found, so the scan cannot pass by
looking at nothing.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
import sys
import time
import traceback
import uuid
from base64 import b64encode
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote, quote_plus

import dagster as dg
import pytest
from psycopg import sql

from genims_platform.audit import definitions as audit_defs
from genims_platform.bootstrap import init_all
from genims_platform.lib import mysql, pg
from genims_platform.lib.blob import AzureBlobStore, BlobError
from genims_platform.lib.environment import build_resources
from genims_platform.lib.errors import DatabaseUnavailableError
from genims_platform.lib.keys import target_key
from genims_platform.settings import load_settings
from genims_platform_tests import harness

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
WRITER = "gt_sec_writer"
AUDIT_USERS = {role: f"gt_sec_audit_{role}" for role in ("ingest", "compliance", "retention")}
CANARY = f"gt-sec-canary-{uuid.uuid4().hex[:10]}"
DAY = date(2025, 1, 20)


def _secret(tag: str) -> str:
    # '+', '/', '=' and ' ' all change under URL encoding, so both forms are distinct.
    return f"gtSec{tag}+{secrets.token_hex(6)}/pw=x y"


def _azurite_connection_string() -> str:
    from azure.storage.blob._shared.parser import DEVSTORE_ACCOUNT_KEY, DEVSTORE_ACCOUNT_NAME

    return (
        f"DefaultEndpointsProtocol=http;AccountName={DEVSTORE_ACCOUNT_NAME};"
        f"AccountKey={DEVSTORE_ACCOUNT_KEY};"
        f"BlobEndpoint=http://127.0.0.1:10000/{DEVSTORE_ACCOUNT_NAME};"
    )


def _forms(secret: str) -> set[str]:
    """A secret verbatim, URL-encoded, and the key of a connection string on its own."""
    values = {secret}
    match = re.search(r"AccountKey=([^;]+)", secret)
    if match:
        values.add(match.group(1))
    return {f for v in values for f in (v, quote(v, safe=""), quote_plus(v), quote(v))}


def _writer_grants(database: str) -> list[str]:
    """The reporting/analytics writer's grants as docs/security.md lists them."""
    text = (ROOT / "docs" / "security.md").read_text()
    block = re.search(r"```sql\n-- mysql writer\n(.*?)```", text, re.DOTALL)
    assert block, "docs/security.md lost its `-- mysql writer` block"
    grants = [
        line.strip().rstrip(";")
        for line in block.group(1).splitlines()
        if line.strip().startswith("GRANT") and "genims_reporting_db" in line
    ]
    assert grants
    return [g.replace("genims_reporting_db", database) for g in grants]


@pytest.fixture(scope="module")
def secret_env(initialized) -> Iterator[dict[str, str]]:
    """The distinctive secrets in the environment, the writer and audit accounts created."""
    settings = initialized
    values = {
        "PG_MASTER_PASSWORD": _secret("Pg"),
        "MYSQL_REPORTING_USER": WRITER,
        "MYSQL_REPORTING_PASSWORD": _secret("Rep"),
        "AZURE_STORAGE_CONNECTION_STRING": _azurite_connection_string(),
        "DAGSTER_PG_PASSWORD": _secret("Dag"),
        **{f"MYSQL_AUDIT_{r.upper()}_USER": u for r, u in AUDIT_USERS.items()},
        **{f"MYSQL_AUDIT_{r.upper()}_PASSWORD": _secret(r.title()) for r in AUDIT_USERS},
    }
    # A fresh audit database: it is append-only, so rows of earlier sessions would stay in
    # the scan forever.
    audit = settings.target("audit")
    with mysql.connect(audit, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(audit.database)}")
    init_all(settings, sources=[], targets=["audit"])
    owner = settings.target("reporting")
    accounts = [(WRITER, h) for h in ("%", "localhost", "127.0.0.1")]
    with mysql.connect(owner, database=None, autocommit=True) as conn, conn.cursor() as cur:
        for user, host in accounts:
            cur.execute(
                "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s",
                (user, host, values["MYSQL_REPORTING_PASSWORD"]),
            )
            cur.execute(
                "ALTER USER %s@%s IDENTIFIED BY %s",
                (user, host, values["MYSQL_REPORTING_PASSWORD"]),
            )
            for grant in _writer_grants(owner.database):
                cur.execute(grant.replace("'genims_etl_writer'@'%'", "%s@%s"), (user, host))
    with pytest.MonkeyPatch.context() as patch:
        for key, value in values.items():
            patch.setenv(key, value)
        from genims_platform.audit.security import apply_security

        apply_security(load_settings())
        yield values
    with mysql.connect(owner, database=None, autocommit=True) as conn, conn.cursor() as cur:
        for user, host in accounts:
            cur.execute("DROP USER IF EXISTS %s@%s", (user, host))
        for user in AUDIT_USERS.values():
            cur.execute("DROP USER IF EXISTS %s@%s", (user, "%"))


def _instance_overrides(database: str, log_file: Path) -> dict:
    """PostgreSQL instance storage with the password from the environment, as dagster.yaml,
    and every run's log also written to a file (an instance-level log handler)."""
    return {
        "python_logs": {
            "python_log_level": "DEBUG",
            "dagster_handler_config": {
                "handlers": {
                    "file": {
                        "class": "logging.FileHandler",
                        "level": "DEBUG",
                        "filename": str(log_file),
                    }
                }
            },
        },
        "storage": {
            "postgres": {
                "postgres_db": {
                    "username": "postgres",
                    "password": {"env": "DAGSTER_PG_PASSWORD"},
                    "hostname": "127.0.0.1",
                    "db_name": database,
                    "port": 5432,
                    "scheme": "postgresql+psycopg2",
                }
            }
        },
    }


@pytest.fixture(scope="module")
def written(secret_env, initialized, caplog_module, tmp_path_factory) -> Iterator[dict]:
    """Runs of the platform in an instance on PostgreSQL storage; returns what they wrote."""
    settings = load_settings()
    storage_db = "gt_sec_dagster_secrets"
    pg.drop_database(settings.pg_primary, storage_db)
    pg.create_database(settings.pg_primary, storage_db)
    definitions = harness.defs()
    pieces = audit_defs.audit_definitions()
    resources = {**build_resources(), **audit_defs.audit_resources()}
    resources[audit_defs.BLOB_RESOURCE] = audit_defs.AuditBlob(
        connection_string=dg.EnvVar("AZURE_STORAGE_CONNECTION_STRING"),
        container=f"gt-sec-{uuid.uuid4().hex[:8]}",
    )
    owner = load_settings().target("audit")
    with mysql.connect(owner, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM audit_ingest_cursor WHERE feed = 'dagster'")

    @dg.asset
    def canary(context) -> dg.MaterializeResult:
        print(f"stdout {CANARY}")
        print(f"stderr {CANARY}", file=sys.stderr)
        context.log.info(f"log {CANARY}")
        return dg.MaterializeResult(metadata={"canary": CANARY})

    out: dict = {"runs": {}}
    log_file = tmp_path_factory.mktemp("gt_sec_logs") / "dagster.log"
    with dg.instance_for_test(overrides=_instance_overrides(storage_db, log_file)) as instance:
        runs = out["runs"]
        runs["canary"] = dg.materialize([canary], instance=instance)
        runs["reporting"] = harness.materialize(
            definitions, "reporting", "machine_performance_daily", day=DAY, instance=instance
        )
        with pg.connect(settings.pg_primary, settings.source_db("crm")) as conn:
            conn.execute(
                "INSERT INTO module_settings (setting_key, setting_value, description, "
                "updated_by) VALUES (%s, 'v', 'secret scan', 'pytest')",
                (f"secrets-{uuid.uuid4().hex[:8]}",),
            )
        ingest = pieces.get_assets_def(target_key("audit", "system_audit_log"))
        runs["ingest"] = dg.materialize([ingest], instance=instance, resources=resources)
        integrity = pieces.get_assets_def(target_key("audit", "audit_trail_integrity"))
        runs["integrity"] = dg.materialize([integrity], instance=instance, resources=resources)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("MYSQL_REPORTING_PASSWORD", _secret("Wrong"))
            out["wrong_password"] = os.environ["MYSQL_REPORTING_PASSWORD"]
            runs["wrong_password"] = harness.materialize(
                definitions,
                "reporting",
                "machine_performance_daily",
                day=DAY,
                instance=instance,
                raise_on_error=False,
            )
        # The self-audit leaves events younger than a few seconds for its next pass.
        time.sleep(6)
        self_audit = pieces.get_assets_def(target_key("audit", "exception_log"))
        runs["self_audit"] = dg.materialize([self_audit], instance=instance, resources=resources)
        out["instance_files"] = _read_tree(Path(instance.root_directory))
    with pg.connect(settings.pg_primary, storage_db) as conn:
        out["storage_rows"] = _dump_postgres(conn)
    pg.drop_database(settings.pg_primary, storage_db)
    out["audit_rows"] = _dump_mysql(settings.target("audit"))
    out["reporting_rows"] = _dump_mysql(settings.target("reporting"))
    out["logging"] = caplog_module.text
    out["run_log_file"] = log_file.read_text()
    yield out


@pytest.fixture(scope="module")
def caplog_module() -> Iterator[pytest.LogCaptureFixture]:
    """Everything logged through Python logging while the module's runs execute."""
    from _pytest.logging import LogCaptureHandler

    handler = LogCaptureHandler()
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    class Captured:
        @property
        def text(self) -> str:
            return "\n".join(handler.format(r) for r in handler.records)

    try:
        yield Captured()
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _read_tree(root: Path) -> dict[str, str]:
    files = {}
    for path in root.rglob("*"):
        if path.is_file():
            files[str(path.relative_to(root))] = path.read_bytes().decode("utf-8", "replace")
    return files


def _dump_postgres(conn) -> dict[str, str]:
    """Every row of every table of a database, as text."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    ]
    return {
        table: "\n".join(
            r[0]
            for r in conn.execute(
                sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(table))
            ).fetchall()
        )
        for table in tables
    }


def _dump_mysql(target) -> dict[str, str]:
    out = {}
    with mysql.connect(target) as conn, conn.cursor() as cur:
        cur.execute("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
        for table, _kind in cur.fetchall():
            cur.execute(f"SELECT * FROM {mysql.quote_ident(table)}")
            out[table] = "\n".join(repr(row) for row in cur.fetchall())
    return out


def _leaks(text: str, values: dict[str, str]) -> list[str]:
    return sorted(
        name for name, secret in values.items() for form in _forms(secret) if form in text
    )


def _secret_values(secret_env: dict[str, str], written: dict) -> dict[str, str]:
    values = {k: v for k, v in secret_env.items() if not k.endswith("_USER")}
    values["wrong MYSQL_REPORTING_PASSWORD"] = written["wrong_password"]
    return values


def test_the_runs_did_what_they_should(written, secret_env):
    runs = written["runs"]
    for name in ("canary", "reporting", "ingest", "integrity", "self_audit"):
        assert runs[name].success, name
    assert not runs["wrong_password"].success
    exceptions = written["audit_rows"]["exception_log"]
    assert runs["wrong_password"].run_id in exceptions
    assert "Access denied" in exceptions and "MYSQL_REPORTING_PASSWORD" in exceptions
    assert runs["reporting"].run_id in written["audit_rows"]["batch_job_execution_log"]


def test_no_secret_in_the_dagster_instance_storage(written, secret_env):
    rows = written["storage_rows"]
    assert CANARY in rows["event_logs"]  # the scan reads the events' content
    assert written["runs"]["wrong_password"].run_id in rows["runs"]
    text = "\n".join(rows.values())
    assert "Access denied" in text  # the failure's error and stack trace are stored
    assert _leaks(text, _secret_values(secret_env, written)) == []


def test_no_secret_in_captured_output_and_logs(written, secret_env):
    files = written["instance_files"]
    captured = "\n".join(files.values())
    assert f"stdout {CANARY}" in captured and f"stderr {CANARY}" in captured
    assert f"log {CANARY}" in written["run_log_file"]
    # Library logging at DEBUG, including the storage SDK's request logs.
    assert "REDACTED" in written["logging"]
    values = _secret_values(secret_env, written)
    for text in (captured, written["run_log_file"], written["logging"]):
        assert _leaks(text, values) == []


def test_no_secret_in_the_audit_and_reporting_databases(written, secret_env):
    values = _secret_values(secret_env, written)
    for name in ("audit_rows", "reporting_rows"):
        for table, text in written[name].items():
            assert _leaks(text, values) == [], f"{name}: {table}"


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genims_platform.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def test_no_secret_on_the_cli_when_it_fails(secret_env):
    wrong = _secret("Cli")
    env = {**os.environ, "MYSQL_REPORTING_PASSWORD": wrong}
    failed = _cli("db", "init", "--target", "reporting", env=env)
    assert failed.returncode == 1
    assert "Access denied" in failed.stderr and "MYSQL_REPORTING_PASSWORD" in failed.stderr
    status = _cli("stack", "status", env=env)
    values = {**secret_env, "wrong": wrong}
    values = {k: v for k, v in values.items() if not k.endswith("_USER")}
    for result in (failed, status):
        assert _leaks(result.stdout + result.stderr, values) == []


def _full_text(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error)


def test_no_secret_in_exception_texts(secret_env):
    settings = load_settings()
    wrong = _secret("Exc")
    values = {**secret_env, "wrong": wrong}
    values = {k: v for k, v in values.items() if not k.endswith("_USER")}
    bad = load_settings({**os.environ, "MYSQL_REPORTING_PASSWORD": wrong})
    with pytest.raises(DatabaseUnavailableError) as caught:
        with mysql.connect(bad.target("reporting")):
            pass
    texts = [_full_text(caught.value)]

    wrong_key = b64encode(secrets.token_bytes(64)).decode()
    values["wrong key"] = wrong_key
    forged = settings.azure_connection_string.replace(
        re.search(r"AccountKey=([^;]+)", settings.azure_connection_string).group(1), wrong_key
    )
    with pytest.raises(BlobError) as refused:
        AzureBlobStore(forged).ensure_container(f"gt-sec-{uuid.uuid4().hex[:8]}")
    texts.append(_full_text(refused.value))
    # A key that is not even base64: the SDK's own complaint must not quote it either.
    broken_key = f"gtSecKey-{secrets.token_hex(6)}!"
    values["broken key"] = broken_key
    with pytest.raises(BlobError) as broken:
        AzureBlobStore(forged.replace(wrong_key, broken_key)).ensure_container("gt-sec-broken")
    texts.append(_full_text(broken.value))
    for text in texts:
        assert _leaks(text, values) == [], text


def test_the_self_audit_scrubs_every_configured_secret(secret_env, tmp_path):
    """Code outside the platform may put a secret into an error (a partner library echoing
    its DSN); the self-audit still keeps it out of the audit database."""
    settings = load_settings()
    leaked = secret_env["MYSQL_REPORTING_PASSWORD"]
    key = re.search(r"AccountKey=([^;]+)", secret_env["AZURE_STORAGE_CONNECTION_STRING"])[1]

    @dg.asset
    def partner_call() -> None:
        raise RuntimeError(f"partner refused mysql://writer:{quote(leaked)}@db and key {key}")

    pieces = audit_defs.audit_definitions()
    resources = audit_defs.audit_resources()
    owner = settings.target("audit")
    with mysql.connect(owner, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM audit_ingest_cursor WHERE feed = 'dagster'")
    storage_db = "gt_sec_dagster_partner"
    pg.drop_database(settings.pg_primary, storage_db)
    pg.create_database(settings.pg_primary, storage_db)
    overrides = _instance_overrides(storage_db, tmp_path / "dagster.log")
    with dg.instance_for_test(overrides=overrides) as instance:
        failed = dg.materialize([partner_call], instance=instance, raise_on_error=False)
        assert not failed.success
        time.sleep(6)
        self_audit = pieces.get_assets_def(target_key("audit", "exception_log"))
        dg.materialize([self_audit], instance=instance, resources=resources)
    pg.drop_database(settings.pg_primary, storage_db)
    with mysql.connect(owner) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT message, stack_trace FROM exception_log WHERE session_id = %s",
            (failed.run_id,),
        )
        rows = cur.fetchall()
        cur.execute("DELETE FROM audit_ingest_cursor WHERE feed = 'dagster'")
        conn.commit()
    assert rows
    text = "\n".join(f"{m}\n{s}" for m, s in rows)
    assert "partner refused mysql://writer:***@db and key ***" in text
    assert _leaks(text, {"password": leaked, "key": key}) == []
