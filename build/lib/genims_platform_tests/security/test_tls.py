"""Encrypted, verified connections to PostgreSQL and MySQL on every path the platform connects.

The servers are started by the test itself (see `servers.py`): a PostgreSQL cluster that admits
only ``hostssl`` logins and a MariaDB server with ``require_secure_transport=ON``, both with a
certificate for ``localhost`` signed by a throwaway CA. Each test proves three things: the
configured CA verifies and the session is really encrypted (``pg_stat_ssl`` / ``Ssl_cipher``),
a wrong CA or a host name the certificate does not name fails with an error that says where
and what to fix but carries no secret, and plaintext is refused.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pymysql
import pytest

from genims_platform.lib import mysql, pg
from genims_platform.lib.environment import build_resources
from genims_platform.lib.errors import DatabaseUnavailableError
from genims_platform.lib.keys import mysql_resource_key, pg_resource_key
from genims_platform.lib.resources import MySQLDatabase, PostgresSource
from genims_platform.settings import load_settings
from genims_platform.targets import create_target
from genims_platform_tests.security import servers as tls
from genims_platform_tests.security.conftest import tls_env

pytestmark = [pytest.mark.tls, pytest.mark.integration]

PACKAGE = Path(__file__).resolve().parents[2] / "genims_platform"
PG_SSL = "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


def _mysql_cipher(conn) -> str:
    with conn.cursor() as cur:
        cur.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        return cur.fetchone()[1]


def _assert_clear(message: str, host: str, port: int, *secrets: str) -> None:
    assert host in message and str(port) in message, message
    for secret in secrets:
        assert secret not in message


def test_postgres_verify_full_with_the_ca_is_encrypted(tls_servers):
    settings = load_settings(tls_env(tls_servers))
    assert settings.pg_primary.sslmode == "verify-full"
    with pg.connect(settings.pg_primary, "postgres") as conn:
        ssl, version = conn.execute(PG_SSL).fetchone()
    assert ssl is True and version.startswith("TLSv1.")


def test_postgres_wrong_ca_fails_with_a_clear_error(tls_servers):
    settings = load_settings(tls_env(tls_servers, pg_ca=str(tls_servers.certs.wrong_ca)))
    with pytest.raises(DatabaseUnavailableError) as caught:
        with pg.connect(settings.pg_primary, "postgres"):
            pass
    message = str(caught.value)
    _assert_clear(message, "localhost", tls_servers.pg_port, tls_servers.pg_password)
    assert "certificate verify failed" in message
    assert "PG_MASTER_SSLROOTCERT" in message


def test_postgres_verify_full_checks_the_host_name(tls_servers):
    # The certificate names localhost only: 127.0.0.1 passes the chain but not the name.
    by_ip = load_settings(tls_env(tls_servers, host="127.0.0.1"))
    with pytest.raises(DatabaseUnavailableError) as caught:
        with pg.connect(by_ip.pg_primary, "postgres"):
            pass
    assert "does not match host name" in str(caught.value)
    _assert_clear(str(caught.value), "127.0.0.1", tls_servers.pg_port, tls_servers.pg_password)
    chain_only = load_settings(tls_env(tls_servers, host="127.0.0.1", sslmode="verify-ca"))
    with pg.connect(chain_only.pg_primary, "postgres") as conn:
        assert conn.execute(PG_SSL).fetchone()[0] is True


def test_postgres_refuses_plaintext(tls_servers):
    settings = load_settings(tls_env(tls_servers, sslmode="disable"))
    with pytest.raises(DatabaseUnavailableError) as caught:
        with pg.connect(settings.pg_primary, "postgres"):
            pass
    message = str(caught.value)
    assert "no encryption" in message and "PG_MASTER_SSLMODE=verify-full" in message
    _assert_clear(message, "localhost", tls_servers.pg_port, tls_servers.pg_password)


def test_etl_resources_from_the_environment_read_over_tls(tls_servers, monkeypatch):
    """The resources Dagster builds from EnvVars: primary, replica (with its own TLS settings)
    and MySQL, resolved at launch like in a deployment."""
    admin = load_settings(tls_env(tls_servers))
    database = admin.source_db("erp")
    pg.create_database(admin.pg_primary, database)
    pg.create_database(load_settings().pg_primary, database)
    create_target(admin, "reporting")
    # The shared local server is the primary here; the TLS server plays the replica.
    env = tls_env(tls_servers)
    for name in ("HOST", "PORT", "USER", "PASSWORD", "SSLMODE", "SSLROOTCERT"):
        env[f"PG_REPLICA_{name}"] = env.pop(f"PG_MASTER_{name}")
    env["PG_MASTER_HOST"], env["PG_MASTER_PORT"] = "127.0.0.1", "5432"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("PG_MASTER_SSLMODE", "PG_MASTER_SSLROOTCERT", "PG_MASTER_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    resources = build_resources()
    source = resources[pg_resource_key("erp")]
    assert isinstance(source.replica_sslmode, dg.EnvVar)  # resolved at launch, not now

    @dg.asset(required_resource_keys={pg_resource_key("erp"), mysql_resource_key("reporting")})
    def transport(context) -> dg.MaterializeResult:
        src: PostgresSource = getattr(context.resources, pg_resource_key("erp"))
        frame = src.query_df("SELECT ssl, current_database() AS db FROM pg_stat_ssl "
                             "WHERE pid = pg_backend_pid()")  # fmt: skip
        with src.connect(primary=True) as conn:
            primary_port = conn.execute("SELECT inet_server_port()").fetchone()[0]
        dst: MySQLDatabase = getattr(context.resources, mysql_resource_key("reporting"))
        cipher = dst.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")[0][1]
        return dg.MaterializeResult(
            metadata={
                "replica_ssl": bool(frame["ssl"].iloc[0]),
                "db": str(frame["db"].iloc[0]),
                "primary_port": int(primary_port),
                "cipher": cipher,
            }
        )

    result = dg.materialize(
        [transport],
        resources={
            k: resources[k] for k in (pg_resource_key("erp"), mysql_resource_key("reporting"))
        },
    )
    metadata = result.asset_materializations_for_node("transport")[0].metadata
    assert metadata["replica_ssl"].value is True
    assert metadata["db"].value == database
    assert metadata["primary_port"].value == 5432  # writes and capture reads stay on the primary
    assert metadata["cipher"].value  # non-empty: the MySQL session is encrypted


def test_replica_with_a_wrong_ca_is_refused_even_after_a_good_login(tls_servers):
    """A pooled connection made with the right CA is never handed to a login configured with
    the wrong one (the pool is keyed by the TLS settings and the password)."""
    admin = load_settings(tls_env(tls_servers))
    fields = {
        "logical": "erp",
        "database": admin.source_db("erp"),
        "replica_host": "localhost",
        "replica_port": tls_servers.pg_port,
        "replica_user": tls.PG_ADMIN,
        "replica_password": tls_servers.pg_password,
        "replica_sslmode": "verify-full",
    }
    pg.create_database(admin.pg_primary, fields["database"])
    good = PostgresSource(**fields, replica_sslrootcert=str(tls_servers.certs.ca))
    assert good.scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") is True
    bad = PostgresSource(**fields, replica_sslrootcert=str(tls_servers.certs.wrong_ca))
    with pytest.raises(DatabaseUnavailableError) as caught:
        bad.scalar("SELECT 1")
    assert "PG_REPLICA_SSLROOTCERT" in str(caught.value)
    _assert_clear(str(caught.value), "localhost", tls_servers.pg_port, tls_servers.pg_password)


def test_mysql_verify_identity_with_the_ca_is_encrypted(tls_servers):
    settings = load_settings(tls_env(tls_servers))
    target = settings.target("reporting")
    assert target.ssl_verify_identity is True
    with mysql.connect(target, database=None) as conn:
        assert _mysql_cipher(conn).startswith("TLS_")


def test_mysql_wrong_ca_and_wrong_name_fail_clearly(tls_servers):
    wrong_ca = load_settings(tls_env(tls_servers, my_ca=str(tls_servers.certs.wrong_ca)))
    with pytest.raises(DatabaseUnavailableError) as caught:
        with mysql.connect(wrong_ca.target("audit"), database=None):
            pass
    message = str(caught.value)
    assert "certificate verify failed" in message and "MYSQL_AUDIT_SSL_CA" in message
    _assert_clear(message, "localhost", tls_servers.my_port, tls_servers.my_password)

    by_ip = load_settings(tls_env(tls_servers, host="127.0.0.1"))
    with pytest.raises(DatabaseUnavailableError) as caught:
        with mysql.connect(by_ip.target("audit"), database=None):
            pass
    assert "MYSQL_AUDIT_SSL_VERIFY_IDENTITY" in str(caught.value)
    _assert_clear(str(caught.value), "127.0.0.1", tls_servers.my_port, tls_servers.my_password)
    # The chain alone, for servers reached by an address their certificate does not name.
    chain_only = load_settings(tls_env(tls_servers, host="127.0.0.1", verify_identity=False))
    with mysql.connect(chain_only.target("audit"), database=None) as conn:
        assert _mysql_cipher(conn)


def test_mysql_require_secure_transport_refuses_plaintext(tls_servers):
    settings = load_settings(tls_env(tls_servers))
    target = settings.target("reporting")
    with pytest.raises(pymysql.err.OperationalError) as caught:
        pymysql.connect(
            host="127.0.0.1",
            port=tls_servers.my_port,
            user=target.user,
            password=target.password,
            ssl_disabled=True,
            connect_timeout=5,
        )
    assert caught.value.args[0] in (1045, 3159, 4036)
    plain = load_settings({**tls_env(tls_servers), "MYSQL_REPORTING_SSL_CA": ""})
    explained = str(mysql.explain_failure(caught.value, plain.target("reporting"), None))
    assert "MYSQL_REPORTING_SSL_CA" in explained and target.password not in explained


def test_dagster_instance_storage_over_tls(tls_servers):
    admin = load_settings(tls_env(tls_servers))
    name = "gt_sec_dagster_tls"
    pg.create_database(admin.pg_primary, name)

    def overrides(ca: Path) -> dict:
        # `params` reach libpq unchanged (the field takes literal values, not {env: ...}).
        return {
            "storage": {
                "postgres": {
                    "postgres_db": {
                        "username": tls.PG_ADMIN,
                        "password": tls_servers.pg_password,
                        "hostname": "localhost",
                        "db_name": name,
                        "port": tls_servers.pg_port,
                        "scheme": "postgresql+psycopg2",
                        "params": {"sslmode": "verify-full", "sslrootcert": str(ca)},
                    }
                }
            }
        }

    @dg.asset
    def stored() -> None:
        return None

    with dg.instance_for_test(overrides=overrides(tls_servers.certs.ca)) as instance:
        result = dg.materialize([stored], instance=instance)
        assert instance.get_run_by_id(result.run_id).is_success
    with pg.connect(admin.pg_primary, name) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('runs', 'event_logs')"
        ).fetchone()[0]
    assert tables == 2
    # The cluster admits hostssl logins only, so the storage's sessions were all encrypted and
    # verified (dagster-postgres hands the params to libpq; a wrong CA fails like above).


def test_cli_init_and_audit_ingest_run_over_tls(tls_servers):
    """`genims db init` (its own process, settings from the environment), then the audit
    ingest reading the capture outbox and writing the audit database, all over TLS."""
    from genims_platform.audit.ingest import audit_database, ingest_source, source_resource

    env = tls_env(tls_servers)
    done = subprocess.run(
        [sys.executable, "-m", "genims_platform.cli", "db", "init",
         "--source", "master", "--target", "audit"],
        env=env, capture_output=True, text=True, timeout=300, cwd=PACKAGE.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    settings = load_settings(env)
    marker = f"tls-{os.getpid()}"
    with pg.connect(settings.pg_primary, settings.source_db("master")) as conn:
        conn.execute(
            "INSERT INTO module_settings (setting_key, setting_value, description, updated_by) "
            "VALUES (%s, 'v', 'tls test', 'pytest')",
            (marker,),
        )
    owner = audit_database(settings, role=None)
    result = ingest_source(source_resource(settings, "master"), owner, "master")
    assert result.error is None and result.events >= 1
    rows = owner.query(
        "SELECT count(*) FROM system_audit_log WHERE source_db = 'master' AND entity_id = %s",
        (marker,),
    )
    assert rows[0][0] == 1
    with owner.connect() as conn:
        assert _mysql_cipher(conn)

    wrong = tls_env(tls_servers, my_ca=str(tls_servers.certs.wrong_ca))
    failed = subprocess.run(
        [sys.executable, "-m", "genims_platform.cli", "db", "init", "--target", "audit"],
        env=wrong, capture_output=True, text=True, timeout=120, cwd=PACKAGE.parent,
    )  # fmt: skip
    assert failed.returncode == 1
    assert "MYSQL_AUDIT_SSL_CA" in failed.stderr and f":{tls_servers.my_port}" in failed.stderr
    assert tls_servers.my_password not in failed.stderr + failed.stdout
    assert "Traceback" not in failed.stderr


# Connections are opened only through lib/pg.py (conninfo) and lib/mysql.py (connect_args),
# which carry the TLS settings; these are the only other places a driver connects, and why.
DIRECT_CONNECTS = {
    "lib/pg.py": 1,  # connect(): **conninfo(...)
    "lib/mysql.py": 1,  # connect(): **connect_args(...)
    "lib/resources.py": 2,  # the pools: **pg_lib.conninfo(...) and **mysql_lib.connect_args(...)
    "stack/postgres.py": 1,  # the local stack's probe: **pg.conninfo(...)
    "stack/mysql.py": 2,  # the local stack's probe (passes ssl_ca) and root's unix socket
}
DRIVER_CALLS = {
    ("psycopg", "connect"),
    ("psycopg2", "connect"),
    ("pymysql", "connect"),
    ("sqlalchemy", "create_engine"),
    ("connector", "connect"),
}


def test_every_connection_goes_through_the_tls_aware_helpers():
    found: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in DRIVER_CALLS
            ):
                key = str(path.relative_to(PACKAGE))
                found[key] = found.get(key, 0) + 1
    assert found == DIRECT_CONNECTS


def test_a_missing_ca_file_names_its_variable(tls_servers, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    settings = load_settings(tls_env(tls_servers, pg_ca=missing, my_ca=missing))
    with pytest.raises(DatabaseUnavailableError) as caught:
        with pg.connect(settings.pg_primary, "postgres"):
            pass
    assert missing in str(caught.value) and "PG_MASTER_SSLROOTCERT" in str(caught.value)
    with pytest.raises(DatabaseUnavailableError, match="MYSQL_REPORTING_SSL_CA names"):
        with mysql.connect(settings.target("reporting"), database=None):
            pass
