"""Hostile source rows against representative tables: two reporting tables, an analytics fact
and an audit table derived from a source module.

Each hostile input is put next to good rows whose window was published before. The outcome is
one of three, never a silent drop or a half-loaded window:

* quarantined: a blocking data test fails, names the rows and the column, keeps them in
  etl_quarantine, and the window readers see is unchanged;
* refused: the run fails with an error that names the column (and the row), the window is
  unchanged;
* accepted exactly: the value is valid and arrives byte for byte.

Where a source's contract forbids the input (NOT NULL, CHECK, PRIMARY KEY), the constraint is
lifted for the length of the test: a site's own database may lack it. docs/hostile_input.md
lists every input with its outcome.
"""

from __future__ import annotations

import json
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest

from genims_platform.lib import mysql
from genims_platform_tests.hardening import support

pytestmark = pytest.mark.integration

DAY = date(2025, 9, 2)
COMPLAINT_DAY = date(2025, 9, 3)
ORDERS = "work_order_summary"
OUTPUT = "fact_production_output"
COMPLAINTS = "customer_complaint_tracking"
LOOKUP = "master"
TARGET = {ORDERS: "reporting", OUTPUT: "analytics", COMPLAINTS: "audit"}
GOOD_ORDERS = [80_000_001, 80_000_002, 80_000_003]
GOOD_CASES = [80_000_001, 80_000_002]
HOSTILE_ID = 80_000_100
# Characters that break naive CSV, SQL or JSON handling, and text beyond the BMP (the token
# makes each session's value new, as the audit table keeps every version ever appended).
NASTY = f'a,"b";\\c\t\\N NULL\r\n\x01\x1b\x7f \u202e\u200d 🏭⚙️ ünï {uuid.uuid4().hex[:6]}'


PRODUCT = {
    "product_id": 500,
    "sku": "SKU-500",
    "product_name": "Gear 500",
    "category": "GEAR",
    "product_family": "DRIVE",
    "list_price": 10,
    "standard_cost": 5,
}


def _ts(day: date, clock: str) -> str:
    return f"{day.isoformat()} {clock}+00"


def _order(order_id: int, **values) -> dict:
    """A work order planned, run and completed on DAY."""
    return {
        "work_order_id": order_id,
        "work_order_number": f"WO-{order_id}",
        "product_id": 500,
        "line_id": 10,
        "factory_id": 100,
        "quantity_planned": 10,
        "quantity_completed": 9,
        "quantity_scrap": 1,
        "status": "COMPLETED",
        "planned_start": _ts(DAY, "06:00"),
        "planned_end": _ts(DAY, "18:00"),
        "actual_start": _ts(DAY, "06:30"),
        "actual_end": _ts(DAY, "16:00"),
        **values,
    }


def _case(case_id: int, **values) -> dict:
    """A complaint opened and last changed on COMPLAINT_DAY."""
    return {
        "case_id": case_id,
        "case_number": f"C-{case_id}",
        "customer_id": 7,
        "category": "DELIVERY",
        "severity": "LOW",
        "is_complaint": True,
        "opened_at": _ts(COMPLAINT_DAY, "08:00"),
        "status": "OPEN",
        "compensation_amount": 0,
        "description": "late delivery",
        "updated_at": _ts(COMPLAINT_DAY, "09:00"),
        **values,
    }


@dataclass(frozen=True)
class Hostile:
    """One hostile input: what is written to the source (and which contract constraint is
    lifted for it), which tables are run, and the expected outcome per table:
    ("quarantine", check, column), ("refuse", text the error must contain) or
    ("accept", column whose published value must equal the source's)."""

    name: str
    logical: str
    table: str
    rows: list[dict]
    outcomes: dict[str, tuple]
    lift: tuple[str, str] | None = None


HOSTILE = [
    Hostile(
        "NULL key (product of a work order)",
        "manufacturing",
        "work_orders",
        [_order(HOSTILE_ID, product_id=None)],
        {
            ORDERS: ("quarantine", "required_not_null", "product_id"),
            OUTPUT: ("quarantine", "required_not_null", "product_id"),
        },
        (
            "ALTER TABLE work_orders ALTER COLUMN product_id DROP NOT NULL",
            "ALTER TABLE work_orders ALTER COLUMN product_id SET NOT NULL",
        ),
    ),
    Hostile(
        "negative quantity completed",
        "manufacturing",
        "work_orders",
        [_order(HOSTILE_ID, quantity_completed=-5)],
        {
            ORDERS: ("quarantine", "values_in_range", "quantity_completed"),
            OUTPUT: ("quarantine", "values_in_range", "quantity_completed"),
        },
        (
            "ALTER TABLE work_orders DROP CONSTRAINT work_orders_quantity_completed_check",
            "ALTER TABLE work_orders ADD CONSTRAINT work_orders_quantity_completed_check "
            "CHECK (quantity_completed >= 0)",
        ),
    ),
    Hostile(
        "start timestamp in year 9999",
        "manufacturing",
        "work_orders",
        [_order(HOSTILE_ID, actual_start="9999-12-31 10:00+00")],
        {
            ORDERS: ("quarantine", "dates_plausible", "date_started"),
            OUTPUT: ("quarantine", "dates_plausible", "start_date"),
        },
    ),
    Hostile(
        "start timestamp in year 1900",
        "manufacturing",
        "work_orders",
        [_order(HOSTILE_ID, actual_start="1900-01-01 00:00+00")],
        {
            ORDERS: ("quarantine", "dates_plausible", "date_started"),
            OUTPUT: ("quarantine", "dates_plausible", "start_date"),
        },
    ),
    Hostile(
        "text longer than its column (65 characters into VARCHAR(64))",
        "manufacturing",
        "work_orders",
        [_order(HOSTILE_ID, work_order_number="W" * 65)],
        {
            ORDERS: ("refuse", "Data truncated for column 'work_order_number'"),
            OUTPUT: ("refuse", "Data truncated for column 'work_order_number'"),
        },
    ),
    Hostile(
        "control characters, CSV/SQL specials and emoji",
        "manufacturing",
        "work_orders",
        [_order(HOSTILE_ID, work_order_number=NASTY)],
        {
            ORDERS: ("accept", "work_order_number"),
            OUTPUT: ("accept", "work_order_number"),
        },
    ),
    Hostile(
        "duplicated key in a lookup (two products 500)",
        LOOKUP,
        "products",
        [{**PRODUCT, "sku": "SKU-500-DUP", "product_name": "duplicate"}],
        {ORDERS: ("quarantine", "grain_unique", "work_order_id")},
        (
            "ALTER TABLE products DROP CONSTRAINT products_pkey",
            "DELETE FROM products WHERE sku = 'SKU-500-DUP'; "
            "ALTER TABLE products ADD CONSTRAINT products_pkey PRIMARY KEY (product_id)",
        ),
    ),
    Hostile(
        "renamed source column (quantity_scrap)",
        "manufacturing",
        "work_orders",
        [],
        {
            ORDERS: ("refuse", "quantity_scrap does not exist"),
            OUTPUT: ("refuse", "quantity_scrap does not exist"),
        },
        (
            "ALTER TABLE work_orders RENAME COLUMN quantity_scrap TO quantity_scrapped",
            "ALTER TABLE work_orders RENAME COLUMN quantity_scrapped TO quantity_scrap",
        ),
    ),
    Hostile(
        "dropped source column in a lookup (products.sku)",
        LOOKUP,
        "products",
        [],
        {ORDERS: ("refuse", 'column "sku" does not exist')},
        (
            "ALTER TABLE products RENAME COLUMN sku TO sku_dropped; "
            "ALTER TABLE products ALTER COLUMN sku_dropped DROP NOT NULL",
            "ALTER TABLE products ALTER COLUMN sku_dropped SET NOT NULL; "
            "ALTER TABLE products RENAME COLUMN sku_dropped TO sku",
        ),
    ),
    Hostile(
        "1 MB of text into a TEXT column",
        "crm",
        "cases",
        [_case(HOSTILE_ID, description="x" * 1_000_000)],
        {COMPLAINTS: ("refuse", "Data truncated for column 'complaint_description'")},
    ),
    Hostile(
        "control characters, CSV/SQL specials and emoji in audited text",
        "crm",
        "cases",
        [_case(HOSTILE_ID, description=NASTY * 3)],
        {COMPLAINTS: ("accept", "complaint_description")},
    ),
    Hostile(
        "opening timestamp in year 9999",
        "crm",
        "cases",
        [_case(HOSTILE_ID, opened_at="9999-12-31 10:00+00")],
        {COMPLAINTS: ("quarantine", "dates_plausible", "opened_at")},
    ),
    Hostile(
        "resolution timestamp in year 1900",
        "crm",
        "cases",
        [_case(HOSTILE_ID, status="RESOLVED", resolved_at="1900-01-01 00:00+00")],
        {COMPLAINTS: ("quarantine", "dates_plausible", "resolution_date")},
    ),
    Hostile(
        "NULL customer of a complaint",
        "crm",
        "cases",
        [_case(HOSTILE_ID, customer_id=None)],
        {COMPLAINTS: ("quarantine", "required_not_null", "customer_id")},
        (
            "ALTER TABLE cases ALTER COLUMN customer_id DROP NOT NULL",
            "ALTER TABLE cases ALTER COLUMN customer_id SET NOT NULL",
        ),
    ),
    Hostile(
        "negative compensation (no source constraint at all)",
        "crm",
        "cases",
        [_case(HOSTILE_ID, compensation_amount=-100)],
        {COMPLAINTS: ("quarantine", "values_in_range", "compensation_amount")},
    ),
    Hostile(
        "duplicated source key (two cases with one id)",
        "crm",
        "cases",
        [
            _case(GOOD_CASES[0], case_number="C-DUP-1", status="IN_PROGRESS"),
            _case(GOOD_CASES[0], case_number="C-DUP-2", status="CLOSED"),
        ],
        {COMPLAINTS: ("refuse", "arrive in more than one state in one run")},
        (
            "ALTER TABLE cases DROP CONSTRAINT cases_pkey",
            "DELETE FROM cases WHERE case_number LIKE 'C-DUP-%'; "
            "ALTER TABLE cases ADD CONSTRAINT cases_pkey PRIMARY KEY (case_id)",
        ),
    ),
    Hostile(
        "renamed source column of an audited table (cases.description)",
        "crm",
        "cases",
        [],
        {COMPLAINTS: ("refuse", "c.description does not exist")},
        (
            "ALTER TABLE cases RENAME COLUMN description TO details",
            "ALTER TABLE cases RENAME COLUMN details TO description",
        ),
    ),
]


def _window(table: str) -> tuple[str, tuple]:
    if table == COMPLAINTS:
        return "complaint_id >= %s", (GOOD_CASES[0],)
    return "date = %s", (DAY,)


def _published(settings, table: str) -> pd.DataFrame:
    where, params = _window(table)
    frame = support.rows(settings, TARGET[table], table, where, params)
    return frame.drop(columns=[c for c in ("created_at",) if c in frame.columns])


def _day(table: str) -> date:
    return COMPLAINT_DAY if table == COMPLAINTS else DAY


@pytest.fixture(scope="module")
def baseline(contracts, instance):
    """Good rows in the sources and their windows published: what a failed run must leave."""
    settings = contracts
    support.source_execute(
        settings,
        "manufacturing",
        "DELETE FROM work_orders WHERE work_order_id >= %s OR "
        "(planned_start >= %s AND planned_start < %s + 1) OR "
        "(actual_end >= %s AND actual_end < %s + 1)",
        (GOOD_ORDERS[0], DAY, DAY, DAY, DAY),
    )
    support.insert(settings, "manufacturing", "work_orders", [_order(i) for i in GOOD_ORDERS])
    support.source_execute(
        settings, "crm", "DELETE FROM cases WHERE case_id >= %s", (GOOD_CASES[0],)
    )
    support.source_execute(settings, LOOKUP, "DELETE FROM products WHERE product_id = 500")
    support.insert(settings, LOOKUP, "products", [PRODUCT])
    support.insert(settings, "crm", "cases", [_case(i) for i in GOOD_CASES])
    result = support.run([ORDERS, OUTPUT], day=DAY, instance=instance)
    assert result.success, support.failures(result)
    result = support.run([COMPLAINTS], day=COMPLAINT_DAY, instance=instance)
    assert result.success, support.failures(result)
    return settings


def _quarantined(settings, table: str, run_id: str) -> list[tuple[str, dict]]:
    with mysql.connect(settings.target(TARGET[table])) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT check_name, row_json FROM etl_quarantine WHERE run_id = %s AND table_name = %s",
            (run_id, table),
        )
        return [(name, json.loads(body)) for name, body in cur.fetchall()]


def _source_value(hostile: Hostile, column: str) -> str:
    source_column = {
        "work_order_number": "work_order_number",
        "complaint_description": "description",
    }
    return hostile.rows[0][source_column[column]]


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
def test_hostile_input_is_quarantined_refused_or_accepted_exactly(baseline, instance, hostile):
    settings = baseline
    tables = list(hostile.outcomes)
    before = {table: _published(settings, table) for table in tables}
    lifted = (
        support.altered(settings, hostile.logical, *hostile.lift) if hostile.lift else nullcontext()
    )
    with lifted:
        try:
            support.insert(settings, hostile.logical, hostile.table, hostile.rows)
            results = {
                table: support.run([table], day=_day(table), instance=instance) for table in tables
            }
        finally:
            _remove(settings, hostile)
    for table, expected in hostile.outcomes.items():
        result = results[table]
        step = f"{TARGET[table]}__{table}"
        assert support.retried(result) == {}, "a data problem is never retried"
        after = _published(settings, table)
        if expected[0] == "accept":
            assert result.success, support.failures(result)
            column = expected[1]
            value = _source_value(hostile, column)
            assert set(after[column]) - set(before[table][column]) == {value}
            if "canonical_payload" in after.columns:  # audited: the hashed payload holds it too
                payloads = [json.loads(p) for p in after["canonical_payload"]]
                assert value in [p[column] for p in payloads]
            continue
        assert not result.success
        pd.testing.assert_frame_equal(after, before[table])  # the window readers see is intact
        message = support.failures(result)[step]
        if expected[0] == "refuse":
            assert expected[1] in message, message
            continue
        _, check_name, column = expected
        evaluation = support.checks(result)[check_name]
        assert not evaluation.passed
        offending = evaluation.metadata["offending_rows_json"].value
        named = {row.get("column") for row in offending} | set().union(*offending)
        assert column in named, offending
        assert check_name in message and "etl_quarantine" in message
        kept = [
            row for name, row in _quarantined(settings, table, result.run_id) if name == check_name
        ]
        assert any(column in row or row.get("column") == column for row in kept), kept


def _remove(settings, hostile: Hostile) -> None:
    if hostile.table == "work_orders":
        support.source_execute(
            settings,
            "manufacturing",
            "DELETE FROM work_orders WHERE work_order_id >= %s",
            (HOSTILE_ID,),
        )
    elif hostile.table == "cases":
        support.source_execute(
            settings,
            "crm",
            "DELETE FROM cases WHERE case_id >= %s OR case_number LIKE 'C-DUP-%%'",
            (HOSTILE_ID,),
        )
