"""The bulk path into MySQL: both load methods, exact values, clear errors, atomic publish."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest

from genims_platform.lib import mysql
from genims_platform.lib.errors import DataValidationError
from genims_platform.lib.loader import StagedLoad
from genims_platform.lib.resources import MySQLDatabase
from genims_platform.lib.schema import Column, TableSchema
from genims_platform.lib.tables import Window

pytestmark = pytest.mark.integration

SCHEMA = TableSchema(
    database="reporting",
    name="loader_probe",
    columns=(
        Column("date", "DATE", False, ""),
        Column("item_id", "BIGINT", False, ""),
        Column("amount", "DECIMAL(12,2)", True, ""),
        Column("ratio", "DECIMAL(9,6)", True, ""),
        Column("reading", "DOUBLE", True, ""),
        Column("seen_at", "DATETIME(6)", True, ""),
        Column("label", "LONGTEXT", True, ""),
        Column("updated_at", "DATETIME(6)", False, ""),
    ),
    grain=("date", "item_id"),
    comment="",
)

NASTY = [
    'comma, "quotes" and \\backslash\\',
    "tab\there\nnewline\r\ncarriage",
    "NULL",
    "emoji 🏭⚙️ and ünïcödé",
    "x" * 1_000_000,
    "",
]


def _db(settings, method: str, batch_size: int = 3) -> MySQLDatabase:
    t = settings.target("reporting")
    return MySQLDatabase(
        logical="reporting",
        database=t.database,
        host=t.host,
        port=t.port,
        user=t.user,
        password=t.password,
        batch_size=batch_size,
        load_method=method,
    )


@pytest.fixture
def probe_table(contracts):
    t = contracts.target("reporting")
    with mysql.connect(t, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS loader_probe")
        cur.execute(
            "CREATE TABLE loader_probe (date DATE NOT NULL, item_id BIGINT NOT NULL, "
            "amount DECIMAL(12,2) NULL, ratio DECIMAL(9,6) NULL, reading DOUBLE NULL, "
            "seen_at DATETIME(6) NULL, label LONGTEXT NULL, updated_at DATETIME(6) NOT NULL, "
            "PRIMARY KEY (date, item_id)) CHARSET utf8mb4"
        )
    yield contracts
    with mysql.connect(t, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS loader_probe")


def _frame() -> pd.DataFrame:
    n = len(NASTY)
    return pd.DataFrame(
        {
            "date": [date(2025, 1, 1)] * n,
            "item_id": list(range(1, n + 1)),
            # 2.675 is 2.67499.. in binary; 0.125 rounds half away from zero; Decimal stays exact.
            "amount": [Decimal("2.675"), 0.125, -0.125, None, 1e9, Decimal("0.005")],
            "ratio": [1 / 3, None, 0.0000005, 1.0, 0.0, 0.999999],
            "reading": [1e-300, float("nan"), -0.0, 3.141592653589793, None, 2.5],
            "seen_at": [
                datetime(2025, 1, 1, 12, 30, 0, 123456, tzinfo=UTC),
                datetime(2025, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
                None,
                pd.Timestamp("2025-01-01T00:00:00Z"),
                None,
                None,
            ],
            "label": NASTY,
        }
    )


def _published(settings) -> list[tuple]:
    with mysql.connect(settings.target("reporting")) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT date, item_id, amount, ratio, reading, seen_at, label FROM loader_probe "
            "ORDER BY item_id"
        )
        return list(cur.fetchall())


@pytest.mark.parametrize("method", ["load_data", "insert"])
def test_both_paths_load_the_same_exact_values(probe_table, method):
    db = _db(probe_table, method)
    window = Window(date(2025, 1, 1), date(2025, 1, 2))
    with StagedLoad(db, SCHEMA, date_column="date", window=window) as load:
        assert load.stage(_frame()) == len(NASTY)
        assert load.publish(datetime.now(UTC)) == len(NASTY)
        assert ("LOAD DATA" in load.stats.method) == (method == "load_data")
    rows = _published(probe_table)
    assert [r[6] for r in rows] == NASTY
    assert [r[2] for r in rows] == [
        Decimal("2.68"),
        Decimal("0.13"),
        Decimal("-0.13"),
        None,
        Decimal("1000000000.00"),
        Decimal("0.01"),
    ]
    assert rows[0][3] == Decimal("0.333333") and rows[1][3] is None
    assert rows[2][3] == Decimal("0.000001")
    assert rows[1][4] is None and rows[4][4] is None and rows[3][4] == 3.141592653589793
    assert rows[0][5] == datetime(2025, 1, 1, 12, 30, 0, 123456)
    assert rows[1][5] == datetime(2025, 1, 1, 12, 0)  # converted to UTC


def test_the_two_paths_agree(probe_table):
    window = Window(date(2025, 1, 1), date(2025, 1, 2))
    results = []
    for method in ("load_data", "insert"):
        with StagedLoad(
            _db(probe_table, method), SCHEMA, date_column="date", window=window
        ) as load:
            load.stage(_frame())
            load.publish(datetime.now(UTC))
        results.append(_published(probe_table))
    assert results[0] == results[1]


def test_auto_asks_the_server(probe_table):
    with mysql.connect(probe_table.target("reporting")) as conn, conn.cursor() as cur:
        cur.execute("SELECT @@GLOBAL.local_infile")
        allowed = bool(int(cur.fetchone()[0]))
    assert _db(probe_table, "auto").local_infile_allowed() is allowed


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("amount", 1e12, "column amount (DECIMAL(12,2))"),
        ("item_id", 1.5, "column item_id (BIGINT)"),
        ("reading", float("inf"), "column reading: a value is not a finite number"),
        ("ratio", 1234.5, "column ratio (DECIMAL(9,6))"),
    ],
)
def test_values_that_do_not_fit_name_the_column(probe_table, column, value, message):
    frame = _frame().head(1).copy()
    frame[column] = [value]
    with (
        StagedLoad(_db(probe_table, "load_data"), SCHEMA, date_column="date", window=None) as load,
        pytest.raises(DataValidationError, match=re.escape(message)),
    ):
        load.stage(frame)


def test_a_value_mysql_would_truncate_is_refused_not_truncated(probe_table):
    short = TableSchema(
        SCHEMA.database,
        SCHEMA.name,
        tuple(
            Column("label", "TEXT", True, "") if c.name == "label" else c for c in SCHEMA.columns
        ),
        SCHEMA.grain,
        "",
    )
    with StagedLoad(_db(probe_table, "load_data"), short, date_column="date", window=None) as load:
        with pytest.raises(DataValidationError, match="Data truncated for column 'label'"):
            load.stage(_frame())


def test_wrong_columns_are_named(probe_table):
    frame = _frame().drop(columns=["ratio"]).assign(surprise=1)
    with StagedLoad(_db(probe_table, "load_data"), SCHEMA, date_column="date", window=None) as load:
        with pytest.raises(DataValidationError, match=r"missing: \['ratio'\].*'surprise'"):
            load.stage(frame)


def test_a_failed_publish_leaves_the_previous_window_intact(probe_table):
    window = Window(date(2025, 1, 1), date(2025, 1, 2))
    db = _db(probe_table, "load_data")
    with StagedLoad(db, SCHEMA, date_column="date", window=window) as load:
        load.stage(_frame())
        load.publish(datetime.now(UTC))
    before = _published(probe_table)
    broken = _frame()
    broken.loc[2, "item_id"] = None  # stages fine (no NOT NULL), but the target refuses it
    with StagedLoad(db, SCHEMA, date_column="date", window=window) as load:
        load.stage(broken)
        with pytest.raises(DataValidationError, match="rolled back; the previous data"):
            load.publish(datetime.now(UTC))
    assert _published(probe_table) == before
