"""Configuration from the environment, under the variable names of the architecture documents.

Nothing here runs at import time: `load_settings()` reads the environment when it is called, so the
Dagster definitions load with placeholder values and tests can point the platform at their own
databases by setting variables.

Variables (defaults suit the local stack; see `.env.example`):

* ``PG_MASTER_HOST/PORT/USER/PASSWORD/SSLMODE/SSLROOTCERT``: the primary PostgreSQL server that
  holds the 13 source databases (the "master" of master/replica, not the master-data database).
* ``PG_REPLICA_HOST/PORT/USER/PASSWORD/SSLMODE/SSLROOTCERT``: an optional read replica; when
  ``PG_REPLICA_HOST`` is set, every ETL read goes there.
* ``PG_DATABASE_<LOGICAL>``: physical name of one source database, e.g.
  ``PG_DATABASE_MANUFACTURING=genims_mes_db``.
* ``MYSQL_<TARGET>_HOST/PORT/DB/USER/PASSWORD/CHARSET/TIMEOUT/SSL_CA/SSL_VERIFY_IDENTITY`` for
  ``REPORTING``, ``ANALYTICS`` and ``AUDIT`` (with ``SSL_CA`` set, connections require TLS and
  verify the server's certificate against that CA, and its host name unless
  ``SSL_VERIFY_IDENTITY=false``).
* ``PG_ETL_USER/PASSWORD``: the read-only login of the ETL on the source databases, created by
  `genims db init` with the grants of ``sql/source/etl_reader_grants.sql`` when a password is set.
* ``ETL_*``, ``DATA_SYNC_*``, ``BACKUP_*`` and ``AZURE_STORAGE_CONNECTION_STRING``.
* ``MYSQL_AUDIT_INGEST_USER/PASSWORD``, ``MYSQL_AUDIT_COMPLIANCE_USER/PASSWORD``,
  ``MYSQL_AUDIT_RETENTION_USER/PASSWORD`` and ``MYSQL_AUDIT_ACCOUNT_HOST``: the least-privilege
  accounts of the audit database (created by `genims db init` when a password is set);
  ``AUDIT_*``: the audit pipeline (batch size, lag and backlog limits, digest container).
* ``REPORTING_RETENTION_MONTHS``, ``RETENTION_DAILY_TIME``, ``RETENTION_CHUNK_ROWS`` and
  ``AUDIT_ARCHIVE_CONTAINER``: the daily retention job (docs/retention.md).
* ``DAGSTER_PG_*``: the Dagster instance storage (defaults to the primary PostgreSQL server).
* ``GENIMS_STATE_DIR``: where the local stack keeps its data directories and logs.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES, check_source, check_target


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable to fix."""


@dataclass(frozen=True)
class PgServer:
    """Where a PostgreSQL server answers and how to log in to it."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    sslmode: str = "prefer"
    sslrootcert: str | None = None
    env_prefix: str = "PG_MASTER"

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


@dataclass(frozen=True)
class MySqlTarget:
    """One of the three MySQL databases and the account the platform uses for it."""

    logical: str
    host: str
    port: int
    database: str
    user: str
    password: str = field(repr=False)
    charset: str = "utf8mb4"
    timeout: int = 30
    ssl_ca: str | None = None
    ssl_verify_identity: bool = True

    @property
    def env_prefix(self) -> str:
        return f"MYSQL_{self.logical.upper()}"

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class EtlSettings:
    batch_size: int = 1000
    reporting_interval_s: int = 3600
    audit_interval_s: int = 60
    error_threshold: int = 5
    log_dir: str = "logs/etl/"
    source_check_lookback_hours: int = 48


@dataclass(frozen=True)
class DataSyncSettings:
    batch_size: int = 1000
    timeout_s: int = 300
    retry_count: int = 3
    retry_delay_s: float = 5.0


@dataclass(frozen=True)
class BackupSettings:
    """Nightly backups of the three MySQL databases (docs/backups.md): reporting backups are
    kept `retention_days`, the analytics backup of `analytics_weekly_day` (Monday = 0, Sunday
    = 6) `analytics_retention_days` and its other backups `retention_days`, audit backups
    `audit_retention_days`."""

    enabled: bool = True
    daily_time: time = time(2, 0)
    retention_days: int = 30
    analytics_retention_days: int = 365
    audit_retention_days: int = 2555
    container: str = "genims-backups"
    analytics_weekly_day: int = 6


@dataclass(frozen=True)
class AuditAccount:
    """A least-privilege login of the audit database; no password means it is not created."""

    role: str
    user: str
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class EtlReader:
    """The read-only login the ETL uses on the source databases; no password: not created."""

    user: str = "genims_readonly"
    password: str = field(default="", repr=False)


@dataclass(frozen=True)
class AuditSettings:
    ingest: AuditAccount = AuditAccount("ingest", "genims_audit_ingest")
    compliance: AuditAccount = AuditAccount("compliance", "genims_audit_compliance")
    retention: AuditAccount = AuditAccount("retention", "genims_audit_retention")
    account_host: str = "%"
    batch_size: int = 5000
    max_lag_s: int = 300
    max_backlog: int = 100_000
    retention_days: int = 2555
    digest_container: str = "genims-audit-digests"
    outbox_keep_hours: int = 168

    @property
    def accounts(self) -> tuple[AuditAccount, ...]:
        return (self.ingest, self.compliance, self.retention)


@dataclass(frozen=True)
class RetentionSettings:
    """The daily retention job: reporting rows older than `reporting_months` are deleted; audit
    rows past their period (audit_retention_policy) are archived to `archive_container`, then
    purged, `chunk_rows` rows per transaction."""

    reporting_months: int = 12
    daily_time: time = time(2, 30)
    chunk_rows: int = 5000
    archive_container: str = "genims-audit-archive"


@dataclass(frozen=True)
class Settings:
    pg_primary: PgServer
    pg_replica: PgServer | None
    source_names: Mapping[str, str]
    mysql: Mapping[str, MySqlTarget]
    etl: EtlSettings
    data_sync: DataSyncSettings
    backup: BackupSettings
    azure_connection_string: str = field(repr=False)
    dagster_pg: PgServer
    dagster_db: str
    state_dir: Path
    audit: AuditSettings = field(default_factory=AuditSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    etl_reader: EtlReader = field(default_factory=EtlReader)

    def source_db(self, logical: str) -> str:
        """Physical name of a source database."""
        return self.source_names[check_source(logical)]

    def target(self, logical: str) -> MySqlTarget:
        return self.mysql[check_target(logical)]

    def read_server(self) -> PgServer:
        """The server ETL reads go to: the replica when one is configured."""
        return self.pg_replica or self.pg_primary


def _get(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name)
    return default if value is None or value == "" else value


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    # The seeds' .env carries trailing comments ("3600  # 1 hour"); accept them.
    text = raw.split("#", 1)[0].strip()
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be >= {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.split("#", 1)[0].strip())
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must be >= 0, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.split("#", 1)[0].strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _time(env: Mapping[str, str], name: str, default: time) -> time:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.split("#", 1)[0].strip()
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise SettingsError(f"{name} must be HH:MM (UTC), got {raw!r}") from None


_IDENTIFIER_CHARS = frozenset(string.ascii_letters + string.digits + "_")
_HOST_CHARS = frozenset(string.ascii_letters + string.digits + ".-_:[]%")
_SOCKET_DIR_CHARS = frozenset(string.ascii_letters + string.digits + "._-/")
_LOGIN_CHARS = frozenset(string.ascii_letters + string.digits + "_.-@")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def check_identifier(name: str, value: str) -> str:
    """Database names become SQL identifiers, so only ASCII letters, digits and underscores
    are accepted (no quotes, backticks, semicolons, spaces or look-alike Unicode letters)."""
    if not value or len(value) > 63 or not set(value) <= _IDENTIFIER_CHARS:
        raise SettingsError(
            f"{name} must be 1-63 letters, digits or underscores (it names a database), "
            f"got {value!r}"
        )
    return value


def check_host(name: str, value: str) -> str:
    """A host name, an IP address or (libpq) the absolute path of a socket directory; anything
    else (quotes, spaces, separators) is refused."""
    allowed = _SOCKET_DIR_CHARS if value.startswith("/") else _HOST_CHARS
    if not value or len(value) > 253 or not set(value) <= allowed:
        raise SettingsError(
            f"{name} must be a host name or an IP address (letters, digits, '.', '-', ':'), "
            f"got {value!r}"
        )
    return value


def check_login(name: str, value: str) -> str:
    """A database login name: letters, digits and ``_ . - @`` (Azure's ``user@server``)."""
    if not value or len(value) > 128 or not set(value) <= _LOGIN_CHARS:
        raise SettingsError(
            f"{name} must be 1-128 letters, digits, '_', '.', '-' or '@' (it names a login), "
            f"got {value!r}"
        )
    return value


def check_sslmode(name: str, value: str) -> str:
    if value not in SSL_MODES:
        raise SettingsError(f"{name} must be one of {', '.join(SSL_MODES)}, got {value!r}")
    return value


def check_container(name: str, value: str) -> str:
    """An Azure blob container name: 3-63 lowercase letters, digits or single dashes, starting
    and ending with a letter or digit (Azure's own rule; it also keeps `--` out)."""
    allowed = set(string.ascii_lowercase + string.digits + "-")
    if (
        not (3 <= len(value) <= 63)
        or not set(value) <= allowed
        or value[0] == "-"
        or value[-1] == "-"
        or "--" in value
    ):
        raise SettingsError(
            f"{name} must be 3-63 lowercase letters, digits or single '-' (not first or last), "
            f"got {value!r}"
        )
    return value


def _identifier(env: Mapping[str, str], name: str, default: str) -> str:
    return check_identifier(name, _get(env, name, default))


def _host(env: Mapping[str, str], name: str, default: str) -> str:
    return check_host(name, _get(env, name, default))


def _login(env: Mapping[str, str], name: str, default: str) -> str:
    return check_login(name, _get(env, name, default))


def _pg_server(env: Mapping[str, str], prefix: str, fallback: PgServer | None) -> PgServer:
    base = fallback or PgServer("127.0.0.1", 5432, "postgres", "")
    return PgServer(
        host=_host(env, f"{prefix}_HOST", base.host),
        port=_int(env, f"{prefix}_PORT", base.port, minimum=1),
        user=_login(env, f"{prefix}_USER", base.user),
        password=env.get(f"{prefix}_PASSWORD", base.password) or "",
        sslmode=check_sslmode(f"{prefix}_SSLMODE", _get(env, f"{prefix}_SSLMODE", base.sslmode)),
        sslrootcert=env.get(f"{prefix}_SSLROOTCERT") or base.sslrootcert,
        env_prefix=prefix,
    )


def _mysql_target(env: Mapping[str, str], logical: str) -> MySqlTarget:
    prefix = f"MYSQL_{logical.upper()}"
    return MySqlTarget(
        logical=logical,
        host=_host(env, f"{prefix}_HOST", "127.0.0.1"),
        port=_int(env, f"{prefix}_PORT", 3306, minimum=1),
        database=_identifier(env, f"{prefix}_DB", TARGET_DATABASES[logical]),
        user=_login(env, f"{prefix}_USER", "root"),
        password=env.get(f"{prefix}_PASSWORD", "") or "",
        # A character set name reaches the server in SET NAMES: the identifier alphabet only.
        charset=check_identifier(f"{prefix}_CHARSET", _get(env, f"{prefix}_CHARSET", "utf8mb4")),
        timeout=_int(env, f"{prefix}_TIMEOUT", 30, minimum=1),
        ssl_ca=env.get(f"{prefix}_SSL_CA") or None,
        ssl_verify_identity=_bool(env, f"{prefix}_SSL_VERIFY_IDENTITY", True),
    )


def _audit(env: Mapping[str, str]) -> AuditSettings:
    def account(role: str, default_user: str) -> AuditAccount:
        prefix = f"MYSQL_AUDIT_{role.upper()}"
        return AuditAccount(
            role,
            _identifier(env, f"{prefix}_USER", default_user),
            env.get(f"{prefix}_PASSWORD", "") or "",
        )

    host = _get(env, "MYSQL_AUDIT_ACCOUNT_HOST", "%")
    if not set(host) <= frozenset(string.ascii_letters + string.digits + "%._-:"):
        raise SettingsError(f"MYSQL_AUDIT_ACCOUNT_HOST is not a host pattern: {host!r}")
    container = check_container(
        "AUDIT_DIGEST_CONTAINER", _get(env, "AUDIT_DIGEST_CONTAINER", "genims-audit-digests")
    )
    return AuditSettings(
        ingest=account("ingest", "genims_audit_ingest"),
        compliance=account("compliance", "genims_audit_compliance"),
        retention=account("retention", "genims_audit_retention"),
        account_host=host,
        batch_size=_int(env, "AUDIT_BATCH_SIZE", 5000, minimum=1),
        max_lag_s=_int(env, "AUDIT_MAX_LAG_SECONDS", 300, minimum=1),
        max_backlog=_int(env, "AUDIT_MAX_BACKLOG", 100_000, minimum=1),
        retention_days=_int(env, "AUDIT_RETENTION_DAYS", 2555, minimum=1),
        digest_container=container,
        outbox_keep_hours=_int(env, "AUDIT_OUTBOX_KEEP_HOURS", 168, minimum=0),
    )


def retention_settings(environ: Mapping[str, str] | None = None) -> RetentionSettings:
    """``REPORTING_RETENTION_MONTHS``, ``RETENTION_DAILY_TIME`` (HH:MM UTC),
    ``RETENTION_CHUNK_ROWS`` and ``AUDIT_ARCHIVE_CONTAINER``."""
    env = os.environ if environ is None else environ
    container = _get(env, "AUDIT_ARCHIVE_CONTAINER", "genims-audit-archive")
    if not (3 <= len(container) <= 63) or not all(
        c.islower() or c.isdigit() or c == "-" for c in container
    ):
        raise SettingsError(
            f"AUDIT_ARCHIVE_CONTAINER must be 3-63 lowercase letters, digits or '-', "
            f"got {container!r}"
        )
    return RetentionSettings(
        reporting_months=_int(env, "REPORTING_RETENTION_MONTHS", 12, minimum=1),
        daily_time=_time(env, "RETENTION_DAILY_TIME", time(2, 30)),
        chunk_rows=_int(env, "RETENTION_CHUNK_ROWS", 5000, minimum=1),
        archive_container=container,
    )


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.split("#", 1)[0].strip().lower()
    for number, day in enumerate(WEEKDAYS):
        if text in (day, day[:3]):
            return number
    raise SettingsError(f"{name} must be a day of the week (e.g. sunday), got {raw!r}")


def backup_settings(environ: Mapping[str, str] | None = None) -> BackupSettings:
    """``BACKUP_ENABLED``, ``BACKUP_DAILY_TIME`` (HH:MM UTC), ``BACKUP_RETENTION_DAYS``,
    ``BACKUP_ANALYTICS_RETENTION_DAYS``, ``BACKUP_ANALYTICS_WEEKLY_DAY`` (default sunday),
    ``BACKUP_AUDIT_RETENTION_DAYS`` and ``BACKUP_AZURE_CONTAINER``."""
    env = os.environ if environ is None else environ
    return BackupSettings(
        enabled=_bool(env, "BACKUP_ENABLED", True),
        daily_time=_time(env, "BACKUP_DAILY_TIME", time(2, 0)),
        retention_days=_int(env, "BACKUP_RETENTION_DAYS", 30, minimum=1),
        analytics_retention_days=_int(env, "BACKUP_ANALYTICS_RETENTION_DAYS", 365, minimum=1),
        audit_retention_days=_int(env, "BACKUP_AUDIT_RETENTION_DAYS", 2555, minimum=1),
        container=check_container(
            "BACKUP_AZURE_CONTAINER", _get(env, "BACKUP_AZURE_CONTAINER", "genims-backups")
        ),
        analytics_weekly_day=_weekday(env, "BACKUP_ANALYTICS_WEEKLY_DAY", 6),
    )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    primary = _pg_server(env, "PG_MASTER", None)
    replica = _pg_server(env, "PG_REPLICA", primary) if env.get("PG_REPLICA_HOST") else None
    source_names = {
        logical: _identifier(env, f"PG_DATABASE_{logical.upper()}", default)
        for logical, default in SOURCE_DATABASES.items()
    }
    duplicates = {
        name for name in source_names.values() if list(source_names.values()).count(name) > 1
    }
    if duplicates:
        raise SettingsError(
            f"two source databases share the physical name(s) {sorted(duplicates)}; "
            "check the PG_DATABASE_* variables"
        )
    mysql = {logical: _mysql_target(env, logical) for logical in TARGET_DATABASES}
    sync_batch = _int(env, "DATA_SYNC_BATCH_SIZE", 1000, minimum=1)
    return Settings(
        pg_primary=primary,
        pg_replica=replica,
        source_names=source_names,
        mysql=mysql,
        etl=EtlSettings(
            batch_size=_int(env, "ETL_BATCH_SIZE", sync_batch, minimum=1),
            reporting_interval_s=_int(env, "ETL_REPORTING_INTERVAL", 3600, minimum=60),
            audit_interval_s=_int(env, "ETL_AUDIT_INTERVAL", 60, minimum=1),
            error_threshold=_int(env, "ETL_ERROR_THRESHOLD", 5, minimum=1),
            log_dir=_get(env, "ETL_LOG_DIR", "logs/etl/"),
            source_check_lookback_hours=_int(env, "SOURCE_CHECK_LOOKBACK_HOURS", 48, minimum=1),
        ),
        data_sync=DataSyncSettings(
            batch_size=sync_batch,
            timeout_s=_int(env, "DATA_SYNC_TIMEOUT", 300, minimum=1),
            retry_count=_int(env, "DATA_SYNC_RETRY_COUNT", 3),
            retry_delay_s=_float(env, "DATA_SYNC_RETRY_DELAY", 5.0),
        ),
        backup=backup_settings(env),
        # The emulator's shorthand keeps the well-known development key out of the code.
        azure_connection_string=_get(
            env, "AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true"
        ),
        dagster_pg=_pg_server(env, "DAGSTER_PG", primary),
        dagster_db=_identifier(env, "DAGSTER_PG_DB", "genims_dagster"),
        state_dir=Path(_get(env, "GENIMS_STATE_DIR", str(Path.cwd() / ".genims"))).resolve(),
        audit=_audit(env),
        retention=retention_settings(env),
        etl_reader=EtlReader(
            user=_login(env, "PG_ETL_USER", "genims_readonly"),
            password=env.get("PG_ETL_PASSWORD", "") or "",
        ),
    )
