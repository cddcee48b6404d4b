"""Injection attempts through configuration values and through source data.

Configuration values that become identifiers, hosts, logins or container names are refused by
the settings (and again by the resources, which Dagster builds from the environment without
the settings) with a message that names the variable. Source data is data: SQL fragments,
backticks, ``\\N``, NUL bytes, megabyte strings, emoji and control characters travel from a
PostgreSQL table through the extract (COPY) and both load paths (LOAD DATA LOCAL INFILE and
batched INSERT) into MySQL unchanged, or are refused with an error that names the table and
column; nothing in them is ever executed. Canary databases and tables that the payloads try to
drop must still exist at the end.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import pandas as pd
import psycopg
import pytest
from psycopg import sql

from genims_platform.lib import mysql, pg
from genims_platform.lib.environment import build_resources
from genims_platform.lib.loader import StagedLoad
from genims_platform.lib.resources import MySQLDatabase, PostgresSource
from genims_platform.lib.schema import Column, TableSchema
from genims_platform.settings import SettingsError, load_settings
from genims_platform_tests import harness
from genims_platform_tests.security.rows import DAY, customers, orders

pytestmark = pytest.mark.integration

CANARY = "gt_sec_canary"
PAYLOADS = {
    "quote": f"x'; DROP DATABASE {CANARY}; --",
    "backtick": f"x`; DROP DATABASE `{CANARY}`; --",
    "double quote": f'x"; DROP DATABASE "{CANARY}"; --',
    "semicolon": "x;SHUTDOWN",
    "comment": "x--",
    "newline": f"x\nDROP DATABASE {CANARY}",
    "nul": "x\x00y",
    "space": "x OR 1=1",
}
# Variables whose values name databases or character sets (identifiers), containers and TLS
# modes: every payload is refused, `--` included.
STRICT = [
    "PG_DATABASE_ERP",
    "MYSQL_REPORTING_DB",
    "MYSQL_ANALYTICS_DB",
    "MYSQL_AUDIT_DB",
    "DAGSTER_PG_DB",
    "MYSQL_AUDIT_INGEST_USER",
    "MYSQL_REPORTING_CHARSET",
    "BACKUP_AZURE_CONTAINER",
    "AUDIT_DIGEST_CONTAINER",
    "PG_MASTER_SSLMODE",
]
# Hosts and logins: '-' is legal in them (host names, Azure's user@server), so `--` passes;
# they never reach SQL text (connection parameters, bound values or quoted identifiers).
LENIENT = [
    "PG_MASTER_HOST",
    "PG_REPLICA_HOST",
    "MYSQL_AUDIT_HOST",
    "DAGSTER_PG_HOST",
    "PG_MASTER_USER",
    "PG_REPLICA_USER",
    "MYSQL_REPORTING_USER",
    "PG_ETL_USER",
]
CASES = [(v, p) for v in STRICT for p in PAYLOADS] + [
    (v, p) for v in LENIENT for p in PAYLOADS if p != "comment"
]


@pytest.fixture(scope="module")
def canaries(settings):
    """A PostgreSQL and a MySQL database the payloads try to drop; they must survive."""
    pg.create_database(settings.pg_primary, CANARY)
    target = settings.target("reporting")
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS {mysql.quote_ident(CANARY)}")
    yield settings
    assert pg.database_exists(settings.pg_primary, CANARY)
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        assert cur.execute("SHOW DATABASES LIKE %s", (CANARY,)) == 1
        cur.execute(f"DROP DATABASE {mysql.quote_ident(CANARY)}")
    pg.drop_database(settings.pg_primary, CANARY)


@pytest.mark.parametrize(("variable", "payload"), CASES, ids=[f"{v}-{p}" for v, p in CASES])
def test_hostile_configuration_values_are_refused(variable, payload):
    env = {variable: PAYLOADS[payload]}
    if variable.startswith("PG_REPLICA_"):
        env["PG_REPLICA_HOST"] = env.get("PG_REPLICA_HOST", "replica.internal")
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert message.startswith(variable)
    # The value is shown escaped: a newline or NUL cannot forge a second log line.
    assert "\n" not in message and "\x00" not in message


def test_dashes_in_hosts_and_logins_stay_legal():
    settings = load_settings(
        {"PG_MASTER_HOST": "xn--bcher-kva.example", "PG_ETL_USER": "etl--reader"}
    )
    assert settings.pg_primary.host == "xn--bcher-kva.example"
    assert settings.etl_reader.user == "etl--reader"


UNREACHABLE = {"host": "127.0.0.1", "port": 1}


def _failure_text(result: dg.ExecuteInProcessResult) -> str:
    """The messages of the run's step failure and of every error that caused it."""
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    error, parts = failure.step_failure_data.error, []
    while error is not None:
        parts.append(error.message)
        error = error.cause or error.context
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("make", "variable"),
    [
        (lambda p: PostgresSource(logical="erp", database=p, **UNREACHABLE), "PG_DATABASE_ERP"),
        (lambda p: PostgresSource(logical="erp", database="d", host=p), "PG_MASTER_HOST"),
        (lambda p: PostgresSource(logical="erp", database="d", user=p), "PG_MASTER_USER"),
        (
            lambda p: PostgresSource(logical="erp", database="d", replica_host=p),
            "PG_REPLICA_HOST",
        ),
        (
            lambda p: MySQLDatabase(logical="audit", database=p, **UNREACHABLE),
            "MYSQL_AUDIT_DB",
        ),
        (lambda p: MySQLDatabase(logical="audit", database="d", host=p), "MYSQL_AUDIT_HOST"),
        (lambda p: MySQLDatabase(logical="audit", database="d", user=p), "MYSQL_AUDIT_USER"),
        (
            lambda p: MySQLDatabase(logical="audit", database="d", charset=p, **UNREACHABLE),
            "MYSQL_AUDIT_CHARSET",
        ),
    ],
)
@pytest.mark.parametrize("payload", ["quote", "backtick", "newline", "nul"])
def test_resources_refuse_hostile_values_before_connecting(make, variable, payload):
    resource = make(PAYLOADS[payload])
    # A connection attempt would fail differently (nothing listens on port 1).
    with pytest.raises(SettingsError, match=f"^{variable}"):
        with resource.connect():
            pass


def test_a_hostile_database_name_in_the_environment_fails_the_run(canaries, monkeypatch):
    monkeypatch.setenv("PG_DATABASE_ERP", PAYLOADS["quote"])
    resources = build_resources()

    @dg.asset(required_resource_keys={"pg_erp"})
    def reads_erp(context) -> None:
        context.resources.pg_erp.scalar("SELECT 1")

    result = dg.materialize(
        [reads_erp], resources={"pg_erp": resources["pg_erp"]}, raise_on_error=False
    )
    assert not result.success
    message = _failure_text(result)
    assert "PG_DATABASE_ERP must be 1-63 letters, digits or underscores" in message


def test_identifiers_that_reach_sql_are_quoted(canaries):
    """Below the settings, the database helpers quote what they are given: a hostile name
    becomes a literal name (or is refused), never SQL."""
    settings = canaries
    hostile = PAYLOADS["double quote"]
    pg.create_database(settings.pg_primary, hostile)
    try:
        assert pg.database_exists(settings.pg_primary, hostile)
        assert pg.database_exists(settings.pg_primary, CANARY)
    finally:
        pg.drop_database(settings.pg_primary, hostile)
    assert not pg.database_exists(settings.pg_primary, hostile)

    with pytest.raises(ValueError, match="not a usable MySQL identifier"):
        mysql.quote_ident(PAYLOADS["backtick"])
    with pytest.raises(ValueError, match="not a usable MySQL identifier"):
        mysql.quote_ident(PAYLOADS["nul"])
    name = PAYLOADS["quote"]
    target = settings.target("reporting")
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {mysql.quote_ident(name)}")
        try:
            assert cur.execute("SHOW DATABASES LIKE %s", (name,)) == 1
            assert cur.execute("SHOW DATABASES LIKE %s", (CANARY,)) == 1
        finally:
            cur.execute(f"DROP DATABASE {mysql.quote_ident(name)}")


# Values the source may legitimately hold; each must arrive in MySQL exactly as it left.
SOURCE_VALUES = [
    "'); DROP TABLE probe_canary; --",
    "`; DROP TABLE `probe_canary`; --",
    f'"; DROP DATABASE {CANARY}; --',
    "\\N",
    "NULL",
    "x\\",
    'comma, "quoted" and\nnew line\r\n',
    "tab\tand ESC \x1b[31mred\x1b[0m, bell \x07, DEL \x7f, \x01\x02\x1f",
    "emoji 🏭⚙️👩‍🔧 and ünïcödé 𝔘",
    "",
    "m" * 1_000_000,
    None,
]


@pytest.fixture
def hostile_source(settings, scratch_pg):
    with pg.connect(settings.pg_primary, scratch_pg) as conn:
        conn.execute("CREATE TABLE hostile (id bigint PRIMARY KEY, label text)")
        for number, value in enumerate(SOURCE_VALUES):
            conn.execute("INSERT INTO hostile VALUES (%s, %s)", (number, value))
    return scratch_pg


@pytest.fixture
def probe_table(canaries):
    target = canaries.target("reporting")
    with mysql.connect(target, autocommit=True) as conn, conn.cursor() as cur:
        for name in ("probe_hostile", "probe_canary"):
            cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute("CREATE TABLE probe_canary (id INT)")
        cur.execute(
            "CREATE TABLE probe_hostile (id BIGINT NOT NULL PRIMARY KEY, label LONGTEXT NULL, "
            "updated_at DATETIME(6) NOT NULL) CHARSET utf8mb4"
        )
    yield canaries
    with mysql.connect(target, autocommit=True) as conn, conn.cursor() as cur:
        assert cur.execute("SHOW TABLES LIKE 'probe_canary'") == 1
        cur.execute("DROP TABLE IF EXISTS probe_hostile")
        cur.execute("DROP TABLE IF EXISTS probe_canary")


SCHEMA = TableSchema(
    database="reporting",
    name="probe_hostile",
    columns=(
        Column("id", "BIGINT", False, ""),
        Column("label", "LONGTEXT", True, ""),
        Column("updated_at", "DATETIME(6)", False, ""),
    ),
    grain=("id",),
    comment="",
)


def test_nul_bytes_cannot_enter_a_postgresql_source(settings, scratch_pg):
    with pg.connect(settings.pg_primary, scratch_pg) as conn:
        conn.execute("CREATE TABLE hostile_nul (label text)")
        with pytest.raises(psycopg.DataError, match="NUL"):
            conn.execute("INSERT INTO hostile_nul VALUES (%s)", ("a\x00b",))


@pytest.mark.parametrize("method", ["load_data", "insert"])
def test_hostile_source_values_round_trip_as_data(hostile_source, probe_table, method):
    settings = probe_table
    source = PostgresSource(
        logical="erp",
        database=hostile_source,
        host=settings.pg_primary.host,
        port=settings.pg_primary.port,
        user=settings.pg_primary.user,
        password=settings.pg_primary.password,
    )
    frame = source.query_df("SELECT id, label FROM hostile ORDER BY id")
    extracted = [None if pd.isna(v) else v for v in frame["label"]]
    assert extracted == SOURCE_VALUES
    # A transform may produce what PostgreSQL text cannot hold: a NUL byte.
    frame = pd.concat(
        [frame, pd.DataFrame({"id": [len(SOURCE_VALUES)], "label": ["nul \x00 byte"]})],
        ignore_index=True,
    )
    t = settings.target("reporting")
    db = MySQLDatabase(
        logical="reporting",
        database=t.database,
        host=t.host,
        port=t.port,
        user=t.user,
        password=t.password,
        batch_size=5,
        load_method=method,
    )
    with StagedLoad(db, SCHEMA, date_column=None, window=None) as load:
        assert load.stage(frame) == len(frame)
        load.publish(datetime.now(UTC))
    rows = db.query("SELECT label FROM probe_hostile ORDER BY id")
    assert [r[0] for r in rows] == [*SOURCE_VALUES, "nul \x00 byte"]


NAMES = {
    1: "Robert'); DROP TABLE sales_by_customer; --",
    2: "`; DROP DATABASE `gt_sec_canary`; -- 🏭",
    3: "\\N",
    4: "line\nbreak\ttab \x1b[0m \x00-free",
}


def test_hostile_names_in_the_source_publish_as_data_through_a_real_asset(contracts, canaries):
    settings = contracts
    try:
        _publish_hostile_names(settings)
    finally:
        harness.clear(settings, "master", ["customers"])
        harness.clear(settings, "erp", ["sales_orders"])


def _publish_hostile_names(settings) -> None:
    harness.clear(settings, "master", ["customers"])
    harness.clear(settings, "erp", ["sales_orders"])
    names = {**NAMES, 4: NAMES[4].replace("\x00", "")}
    harness.put(settings, "master", "customers", customers(names))
    harness.put(settings, "erp", "sales_orders", orders(names))
    definitions = harness.defs()
    result = harness.materialize(definitions, "reporting", "sales_by_customer", day=DAY)
    assert result.success
    published = harness.published(
        settings, "reporting", "sales_by_customer", "date = %s", (DAY,)
    ).sort_values("customer_id")
    assert dict(zip(published["customer_id"], published["customer_name"], strict=True)) == names

    # A name longer than the column is refused with the table and column named; the day keeps
    # what it had.
    harness.put(
        settings,
        "master",
        "customers",
        [{**customers({9: "z" * 1_000_000})[0]}],
    )
    harness.put(settings, "erp", "sales_orders", orders([9]))
    failed = harness.materialize(
        definitions, "reporting", "sales_by_customer", day=DAY, raise_on_error=False
    )
    assert not failed.success
    message = _failure_text(failed)
    assert "sales_by_customer" in message and "customer_name" in message
    assert len(message) < 5000  # the offending value is not echoed back
    again = harness.published(settings, "reporting", "sales_by_customer", "date = %s", (DAY,))
    assert sorted(again["customer_id"]) == sorted(names)
    with mysql.connect(settings.target("reporting")) as conn, conn.cursor() as cur:
        assert cur.execute("SHOW TABLES LIKE 'sales_by_customer'") == 1
    with pg.connect(settings.pg_primary, settings.source_db("master")) as conn:
        stored = conn.execute(
            sql.SQL("SELECT customer_name FROM {} WHERE customer_id = 1").format(
                sql.Identifier("customers")
            )
        ).fetchone()[0]
    assert stored == NAMES[1]
