"""Resources wired to the environment through `dg.EnvVar`.

Every variable that is set when the definitions are built becomes an `EnvVar` (resolved at launch,
masked in the UI); an unset variable falls back to the local-stack default of
`genims_platform.settings`. Only the presence of variables is looked at here, never a secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import dagster as dg

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES
from genims_platform.lib.keys import mysql_resource_key, pg_resource_key
from genims_platform.lib.resources import MySQLDatabase, PostgresSource


def env_value(name: str, default, environ: Mapping[str, str]):
    """`EnvVar(name)` when the variable is set (an int one when the default is an int), else
    the default."""
    if environ.get(name, "") != "":
        return dg.EnvVar.int(name) if isinstance(default, int) else dg.EnvVar(name)
    return default


def audit_connection(role: str, environ: Mapping[str, str]) -> dict[str, object]:
    """Connection fields of the audit database for one of its roles (`ingest`, `compliance`,
    `retention`): the role's own account when `MYSQL_AUDIT_<ROLE>_PASSWORD` is set, else the
    owner account of `MYSQL_AUDIT_USER`."""
    prefix = f"MYSQL_AUDIT_{role.upper()}"
    if environ.get(f"{prefix}_PASSWORD", "") != "":
        user = env_value(f"{prefix}_USER", f"genims_audit_{role}", environ)
        password = dg.EnvVar(f"{prefix}_PASSWORD")
    else:
        user = env_value("MYSQL_AUDIT_USER", "root", environ)
        password = env_value("MYSQL_AUDIT_PASSWORD", "", environ)
    return {
        "database": env_value("MYSQL_AUDIT_DB", TARGET_DATABASES["audit"], environ),
        "host": env_value("MYSQL_AUDIT_HOST", "127.0.0.1", environ),
        "port": env_value("MYSQL_AUDIT_PORT", 3306, environ),
        "user": user,
        "password": password,
        "charset": env_value("MYSQL_AUDIT_CHARSET", "utf8mb4", environ),
        "timeout": env_value("MYSQL_AUDIT_TIMEOUT", 30, environ),
        "ssl_ca": env_value("MYSQL_AUDIT_SSL_CA", "", environ),
        "ssl_verify_identity": env_value("MYSQL_AUDIT_SSL_VERIFY_IDENTITY", "true", environ),
    }


def physical_source_names(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    return {
        logical: environ.get(f"PG_DATABASE_{logical.upper()}") or default
        for logical, default in SOURCE_DATABASES.items()
    }


def physical_target_names(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    return {
        logical: environ.get(f"MYSQL_{logical.upper()}_DB") or default
        for logical, default in TARGET_DATABASES.items()
    }


def build_resources(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    environ = os.environ if environ is None else environ
    resources: dict[str, object] = {}
    timeout = env_value("DATA_SYNC_TIMEOUT", 300, environ)
    for logical, default_name in SOURCE_DATABASES.items():
        resources[pg_resource_key(logical)] = PostgresSource(
            logical=logical,
            database=env_value(f"PG_DATABASE_{logical.upper()}", default_name, environ),
            host=env_value("PG_MASTER_HOST", "127.0.0.1", environ),
            port=env_value("PG_MASTER_PORT", 5432, environ),
            user=env_value("PG_MASTER_USER", "postgres", environ),
            password=env_value("PG_MASTER_PASSWORD", "", environ),
            sslmode=env_value("PG_MASTER_SSLMODE", "prefer", environ),
            sslrootcert=env_value("PG_MASTER_SSLROOTCERT", "", environ),
            replica_host=env_value("PG_REPLICA_HOST", "", environ),
            replica_port=env_value("PG_REPLICA_PORT", 5432, environ),
            replica_user=env_value("PG_REPLICA_USER", "", environ),
            replica_password=env_value("PG_REPLICA_PASSWORD", "", environ),
            replica_sslmode=env_value("PG_REPLICA_SSLMODE", "", environ),
            replica_sslrootcert=env_value("PG_REPLICA_SSLROOTCERT", "", environ),
            statement_timeout_s=timeout,
        )
    batch = env_value("ETL_BATCH_SIZE", 1000, environ)
    for logical, default_name in TARGET_DATABASES.items():
        prefix = f"MYSQL_{logical.upper()}"
        resources[mysql_resource_key(logical)] = MySQLDatabase(
            logical=logical,
            database=env_value(f"{prefix}_DB", default_name, environ),
            host=env_value(f"{prefix}_HOST", "127.0.0.1", environ),
            port=env_value(f"{prefix}_PORT", 3306, environ),
            user=env_value(f"{prefix}_USER", "root", environ),
            password=env_value(f"{prefix}_PASSWORD", "", environ),
            charset=env_value(f"{prefix}_CHARSET", "utf8mb4", environ),
            timeout=env_value(f"{prefix}_TIMEOUT", 30, environ),
            ssl_ca=env_value(f"{prefix}_SSL_CA", "", environ),
            ssl_verify_identity=env_value(f"{prefix}_SSL_VERIFY_IDENTITY", "true", environ),
            batch_size=batch,
            load_method=env_value("ETL_LOAD_METHOD", "auto", environ),
        )
    return resources
