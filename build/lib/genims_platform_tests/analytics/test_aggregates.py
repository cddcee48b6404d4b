"""Aggregates on hand-made fact rows (their only source), with the expected values computed
here from the definitions: monthly factory KPIs and the daily RFM snapshot."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from genims_platform.lib import mysql
from genims_platform.lib.dimensional import END_OF_TIME
from genims_platform_tests.analytics import support

pytestmark = pytest.mark.integration

FILLER = {
    "DATE": date(2025, 1, 1),
    "DATETIME": datetime(2025, 1, 1),
    "TIMESTAMP": datetime(2025, 1, 1),
    "CHAR": "X",
    "VARCHAR": "X",
}


def insert(settings, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert fact or dimension rows; required columns the test does not care about get a
    neutral value (0, 'X', 2025-01-01)."""
    schema = support.SPECS[table].schema
    columns = [c for c in schema.columns if c.name != "updated_at"]
    names = ", ".join(mysql.quote_ident(c.name) for c in columns)
    values = [
        tuple(row.get(c.name, None if c.nullable else FILLER.get(c.base_type, 0)) for c in columns)
        for row in rows
    ]
    with mysql.connect(settings.target("analytics")) as conn, conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {mysql.quote_ident(table)} ({names}, updated_at) "
            f"VALUES ({', '.join(['%s'] * len(columns))}, UTC_TIMESTAMP(6))",
            values,
        )


@pytest.fixture(scope="module")
def defs():
    return support.definitions()


@pytest.fixture
def warehouse(contracts):
    support.reset(contracts)
    insert(
        contracts,
        "dim_factory",
        [
            {"factory_key": 1, "factory_id": 100, "factory_code": "F100", "factory_name": "A"},
            {"factory_key": 2, "factory_id": 200, "factory_code": "F200", "factory_name": "B"},
        ],
    )
    return contracts


def ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def test_monthly_factory_kpis_from_the_facts(defs, warehouse):
    march, april = date(2025, 3, 5), date(2025, 4, 2)
    insert(warehouse, "fact_machine_hourly", [
        {"date": march, "machine_id": 1, "hour_of_day": 8, "factory_id": 100,
         "planned_minutes": 60, "run_minutes": 50, "ideal_run_minutes": 40,
         "units_produced": 100, "units_good": 90, "unplanned_downtime_minutes": 10},
        {"date": march, "machine_id": 1, "hour_of_day": 9, "factory_id": 100,
         "planned_minutes": 60, "run_minutes": 60, "ideal_run_minutes": 50,
         "units_produced": 100, "units_good": 100},
        {"date": april, "machine_id": 1, "hour_of_day": 9, "factory_id": 100,
         "planned_minutes": 60, "run_minutes": 60, "units_produced": 999},  # next month
    ])  # fmt: skip
    insert(warehouse, "fact_downtime_event", [
        {"date": march, "fault_id": 1, "machine_id": 1, "factory_id": 100,
         "duration_minutes": 30},
        {"date": march, "fault_id": 2, "machine_id": 1, "factory_id": 100,
         "duration_minutes": 90},
        {"date": march, "fault_id": 3, "machine_id": 1, "factory_id": 100, "is_open": 1},
    ])  # fmt: skip
    insert(warehouse, "fact_production_output", [
        {"date": march, "work_order_id": 1, "factory_id": 100, "quantity_completed": 150,
         "quantity_scrap": 5, "is_on_time": 1},
        {"date": march, "work_order_id": 2, "factory_id": 100, "quantity_completed": 50,
         "quantity_scrap": 0, "is_on_time": 0},
    ])  # fmt: skip
    insert(warehouse, "fact_quality_inspection", [
        {"date": march, "inspection_id": 1, "factory_id": 100, "units_inspected": 40,
         "units_failed": 2},
    ])  # fmt: skip
    insert(warehouse, "fact_maintenance_work_order", [
        {"date": march, "mwo_id": 1, "machine_id": 1, "factory_id": 100, "total_cost": 250.5},
    ])  # fmt: skip
    insert(warehouse, "fact_sales_order_line", [
        {"date": march, "sales_order_line_id": 1, "factory_id": 100, "line_amount": 1000},
        {"date": march, "sales_order_line_id": 2, "factory_id": 100, "line_amount": 500,
         "is_cancelled": 1},
        {"date": march, "sales_order_line_id": 3, "factory_id": 200, "line_amount": 300},
    ])  # fmt: skip
    insert(warehouse, "fact_labor_timesheet", [
        {"date": march, "timesheet_id": 1, "factory_id": 100, "total_hours": 8},
        {"date": march, "timesheet_id": 2, "factory_id": 100, "total_hours": 2},
    ])  # fmt: skip

    result = support.run(defs, "agg_monthly_factory_kpis", day=march)
    assert result.success
    rows = support.rows(warehouse, "agg_monthly_factory_kpis", "factory_id").set_index("factory_id")
    assert list(rows.index) == [100, 200] and set(rows["period_month"]) == {date(2025, 3, 1)}
    a = rows.loc[100]
    planned, run, ideal, produced, good = 120, 110, 90, 200, 190
    availability, performance, quality = run / planned, ideal / run, good / produced
    expected = {
        "factory_key": 1,
        "availability": availability,
        "performance": performance,
        "quality": quality,
        "oee": availability * performance * quality,
        "unplanned_downtime_minutes": 10,
        "fault_count": 3,
        "mttr_hours": (30 + 90) / 2 / 60,  # the open fault has no duration yet
        "mtbf_hours": run / 60 / 3,
        "work_orders_completed": 2,
        "quantity_completed": 200,
        "quantity_scrap": 5,
        "on_time_work_order_ratio": 0.5,
        "units_inspected": 40,
        "units_failed": 2,
        "inspection_failure_ratio": 0.05,
        "maintenance_orders_completed": 1,
        "maintenance_cost": 250.5,
        "revenue": 1000,
        "labor_hours": 10,
        "good_units_per_labor_hour": 19,
    }
    for column, value in expected.items():
        assert float(a[column]) == pytest.approx(value, abs=1e-3), column
    b = rows.loc[200]  # a factory with sales only: zero counts, no ratios
    assert (b["factory_key"], float(b["revenue"]), b["fault_count"]) == (2, 300, 0)
    assert b["oee"] is None and b["mtbf_hours"] is None


def test_daily_rfm_snapshot_scores_customers_by_quintile(defs, warehouse):
    # Customer 1 changed segment on 2025-03-10: the snapshot points at the version of its day.
    insert(warehouse, "dim_customer", [
        {"customer_key": 11, "customer_id": 1, "customer_code": "C1", "customer_name": "A",
         "segment": "SMB", "valid_from": date(1900, 1, 1), "valid_to": date(2025, 3, 10),
         "is_current": 0, "version": 1},
        {"customer_key": 12, "customer_id": 1, "customer_code": "C1", "customer_name": "A",
         "segment": "STRATEGIC", "valid_from": date(2025, 3, 10), "valid_to": END_OF_TIME,
         "is_current": 1, "version": 2},
    ])  # fmt: skip
    # (line, day, customer, order, amount, cancelled)
    lines = [
        (1, date(2025, 3, 9), 1, 100, 500.0, 0),
        (2, date(2025, 3, 9), 1, 100, 250.0, 0),  # same order: one order
        (3, date(2025, 2, 1), 1, 101, 100.0, 0),
        (4, date(2025, 3, 1), 2, 200, 80.0, 0),
        (5, date(2024, 6, 1), 3, 300, 900.0, 0),
        (6, date(2025, 1, 15), 3, 301, 50.0, 0),
        (7, date(2025, 3, 10), 4, 400, 60.0, 0),
        (8, date(2025, 3, 10), 4, 401, 10.0, 1),  # cancelled: never counts
        (9, date(2024, 2, 1), 5, 500, 70.0, 0),  # more than 365 days before: inactive
        (10, date(2025, 3, 11), 2, 201, 40.0, 0),  # after the first snapshot day
    ]
    insert(warehouse, "fact_sales_order_line", [
        {"date": d, "sales_order_line_id": n, "customer_id": c, "sales_order_id": o,
         "line_amount": amount, "is_cancelled": cancelled}
        for n, d, c, o, amount, cancelled in lines
    ])  # fmt: skip
    days = [date(2025, 3, 10), date(2025, 3, 11)]
    result = support.run(defs, "agg_customer_rfm", start=days[0], end=days[-1])
    assert result.success
    published = support.rows(warehouse, "agg_customer_rfm", "date, customer_id")

    def expected(day: date) -> list[tuple]:
        active: dict[int, dict] = {}
        for _n, d, c, o, amount, cancelled in lines:
            if cancelled or not (day - timedelta(days=365) < d <= day):
                continue
            m = active.setdefault(c, {"last": d, "orders": set(), "money": 0.0})
            m["last"] = max(m["last"], d)
            m["orders"].add(o)
            m["money"] += amount

        def score(values: dict[int, Any], c: int) -> int:
            return math.ceil(5 * sum(v <= values[c] for v in values.values()) / len(values))

        last = {c: m["last"] for c, m in active.items()}
        freq = {c: len(m["orders"]) for c, m in active.items()}
        money = {c: m["money"] for c, m in active.items()}
        out = []
        for c in sorted(active):
            r, f, m = score(last, c), score(freq, c), score(money, c)
            segment = (
                "CHAMPIONS" if r >= 4 and f >= 4 and m >= 4
                else "AT_RISK" if r <= 2 and f >= 3
                else "HIBERNATING" if r <= 2
                else "LOYAL" if f >= 4
                else "PROMISING" if r >= 4
                else "NEEDS_ATTENTION"
            )  # fmt: skip
            out.append(
                (day, c, last[c], (day - last[c]).days, freq[c], money[c], r, f, m,
                 f"{r}{f}{m}", segment)
            )  # fmt: skip
        return out

    columns = (
        "date", "customer_id", "last_order_date", "recency_days", "frequency_orders",
        "monetary_amount", "recency_score", "frequency_score", "monetary_score", "rfm_score",
        "rfm_segment",
    )  # fmt: skip
    actual = [
        tuple(
            float(v) if name == "monetary_amount" else v
            for name, v in zip(columns, row, strict=True)
        )
        for row in support.records(published, columns)
    ]
    assert actual == expected(days[0]) + expected(days[1])
    keys = published[published["customer_id"] == 1]["customer_key"].tolist()
    assert keys == [12, 12]
    assert set(published[published["customer_id"] != 1]["customer_key"]) == {0}  # not in dim
    assert all(
        e.passed
        for e in result.get_asset_check_evaluations()
        if e.check_name != "late_arriving_members"
    )
