"""Production tables against hand-made data, with expected values computed here."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import dagster as dg
import pandas as pd
import pytest

from genims_platform.lib import mysql
from genims_platform.lib.sqlfiles import load_sql
from genims_platform_tests import harness
from genims_platform_tests.reporting.test_daily_performance import assert_row, dashboard_plan

pytestmark = pytest.mark.integration

DAY = date(2025, 5, 12)
BEFORE, AFTER = DAY - timedelta(days=1), DAY + timedelta(days=1)


@pytest.fixture(scope="module")
def instance():
    """One Dagster instance for the module's runs (a fresh one per run costs a second each)."""
    with dg.instance_for_test() as inst:
        yield inst


def _ts(day: date, clock: str) -> str:
    return f"{day.isoformat()} {clock}+00"


def _utc_day(stamp: str | None) -> date | None:
    return None if stamp is None else datetime.fromisoformat(stamp).date()


FACTORIES = [
    {
        "factory_id": f,
        "factory_code": f"F{f}",
        "factory_name": f"Plant {f}",
        "country": "DE",
        "region": "EU",
        "city": "Berlin",
    }
    for f in (100, 200)
]
LINE_FACTORY = {10: 100, 11: 100, 12: 200}
LINES = [
    {
        "line_id": line,
        "factory_id": factory,
        "line_code": f"L{line}",
        "line_name": f"Line {line}",
        "line_type": "ASSEMBLY",
        "design_capacity_units_per_hour": 100,
    }
    for line, factory in LINE_FACTORY.items()
]
MACHINE_LINE = {1: 10, 2: 11, 3: 12}  # machine 9 is unknown to master data
MACHINES = [
    {
        "machine_id": machine,
        "line_id": line,
        "factory_id": LINE_FACTORY[line],
        "machine_code": f"M{machine}",
        "machine_name": f"Machine {machine}",
        "machine_type": "CNC",
        "ideal_cycle_time_s": 30,
    }
    for machine, line in MACHINE_LINE.items()
]
SKUS = {500: "SKU-500", 501: "SKU-501"}  # product 502 is unknown to master data
PRODUCTS = [
    {
        "product_id": product,
        "sku": sku,
        "product_name": f"Product {product}",
        "category": "GEAR",
        "product_family": "DRIVE",
        "list_price": 10,
        "standard_cost": 5,
    }
    for product, sku in SKUS.items()
]


def _wo(wo_id, line, product, planned, completed, status, planned_start, **actual):
    return {
        "work_order_id": wo_id,
        "work_order_number": f"WO-{wo_id}",
        "product_id": product,
        "line_id": line,
        "factory_id": LINE_FACTORY[line],
        "quantity_planned": planned,
        "quantity_completed": completed,
        "quantity_scrap": actual.pop("scrap", 0),
        "status": status,
        "planned_start": planned_start,
        "planned_end": _ts(AFTER, "12:00"),
        **actual,
    }


WORK_ORDERS = [
    # Started on the day, ended after midnight.
    _wo(
        1,
        10,
        500,
        100,
        90,
        "COMPLETED",
        _ts(DAY, "06:00"),
        scrap=3,
        actual_start=_ts(DAY, "06:10"),
        actual_end=_ts(AFTER, "01:00"),
    ),
    # Overproduced, planned late in the evening (still the day, in UTC).
    _wo(2, 10, 501, 50, 55, "IN_PROGRESS", _ts(DAY, "23:30"), actual_start=_ts(DAY, "23:40")),
    # Cancelled: no longer a plan, but its labour was spent.
    _wo(3, 10, 500, 40, 0, "CANCELLED", _ts(DAY, "07:00")),
    # Product without a standard cost and without a SKU.
    _wo(4, 11, 502, 20, 10, "IN_PROGRESS", _ts(DAY, "08:00"), actual_start=_ts(DAY, "08:05")),
    # Planned the day before, worked on the day.
    _wo(5, 12, 500, 30, 0, "RELEASED", _ts(BEFORE, "08:00")),
    _wo(6, 10, 500, 70, 0, "PLANNED", _ts(AFTER, "06:00")),
]


def _labour(wo_id, work_date, hours, rate=40.0):
    line = next(w["line_id"] for w in WORK_ORDERS if w["work_order_id"] == wo_id)
    return {
        "work_order_id": wo_id,
        "employee_id": 7,
        "line_id": line,
        "shift_code": "A",
        "work_date": work_date,
        "hours": hours,
        "labor_rate": rate,
        "labor_cost": hours * rate,
    }


LABOUR = [
    _labour(1, DAY, 6),
    _labour(1, AFTER, 4, rate=45),
    _labour(2, DAY, 2.5),
    _labour(3, DAY, 1),
    _labour(5, DAY, 3),
]


def _consumed(wo_id, material, consumed_at, quantity, unit_cost, scrap=0):
    factory = next(w["factory_id"] for w in WORK_ORDERS if w["work_order_id"] == wo_id)
    return {
        "work_order_id": wo_id,
        "material_id": material,
        "factory_id": factory,
        "consumed_at": consumed_at,
        "quantity": quantity,
        "scrap_quantity": scrap,
        "unit_cost": unit_cost,
    }


MATERIAL = [
    _consumed(1, 900, _ts(DAY, "06:30"), 10, 5.0, scrap=1),
    _consumed(1, 900, _ts(AFTER, "00:10"), 2, 5.0),
    _consumed(2, 901, _ts(DAY, "23:45"), 4, 2.5),
    _consumed(4, 900, _ts(DAY, "23:59"), 3, 6.0),
    # Only scrap: no quantity to average a unit cost over.
    _consumed(5, 900, _ts(DAY, "09:00"), 0, 5.0, scrap=2),
]

# Product 500's overhead rate changed on the day itself (valid_to is exclusive).
STANDARD_COSTS = [
    {"item_id": 500, "overhead": 1.5, "valid_from": "2025-01-01", "valid_to": DAY.isoformat()},
    {"item_id": 500, "overhead": 2.0, "valid_from": DAY.isoformat(), "valid_to": "9999-12-31"},
    {"item_id": 501, "overhead": 0.8, "valid_from": "2025-01-01", "valid_to": "9999-12-31"},
]


def _schedule(line, start, end, status, actual_start=None, actual_end=None, delay=0, reason=None):
    return {
        "line_id": line,
        "work_order_id": 1,
        "scheduled_start": start,
        "scheduled_end": end,
        "actual_start": actual_start,
        "actual_end": actual_end,
        "status": status,
        "delay_minutes": delay,
        "delay_reason": reason,
    }


SCHEDULES = [
    # Belongs to the day before, where it started.
    _schedule(
        10,
        _ts(BEFORE, "23:00"),
        _ts(DAY, "03:00"),
        "COMPLETED",
        _ts(BEFORE, "23:05"),
        _ts(DAY, "03:30"),
        30,
        "MACHINE",
    ),
    _schedule(
        10, _ts(DAY, "06:00"), _ts(DAY, "10:00"), "COMPLETED", _ts(DAY, "06:10"), _ts(DAY, "09:50")
    ),
    _schedule(
        10,
        _ts(DAY, "10:00"),
        _ts(DAY, "14:00"),
        "COMPLETED",
        _ts(DAY, "10:30"),
        _ts(DAY, "14:45"),
        30,
        "MATERIAL",
    ),
    # Twenty minutes early is not "within 15 minutes" either.
    _schedule(10, _ts(DAY, "14:00"), _ts(DAY, "18:00"), "IN_PROGRESS", _ts(DAY, "13:40")),
    _schedule(10, _ts(DAY, "18:00"), _ts(DAY, "22:00"), "CANCELLED", delay=50, reason="OTHER"),
    # Crosses midnight, on time.
    _schedule(
        10,
        _ts(DAY, "22:00"),
        _ts(AFTER, "02:00"),
        "COMPLETED",
        _ts(DAY, "22:05"),
        _ts(AFTER, "01:55"),
        45,
        "MACHINE",
    ),
    _schedule(10, _ts(DAY, "20:00"), _ts(DAY, "23:00"), "SCHEDULED", delay=10, reason="MATERIAL"),
    # A line whose only schedule was cancelled: a row without ratios.
    _schedule(11, _ts(DAY, "06:00"), _ts(DAY, "10:00"), "CANCELLED"),
    _schedule(10, _ts(AFTER, "06:00"), _ts(AFTER, "10:00"), "SCHEDULED", delay=5, reason="LABOUR"),
]


def _inspection(number, kind, factory, product, inspected_at, inspected, failed, rework=0):
    return {
        "inspection_id": number,
        "inspection_number": f"INS-{number}",
        "inspection_type": kind,
        "factory_id": factory,
        "product_id": product,
        "inspected_at": inspected_at,
        "units_inspected": inspected,
        "units_passed": inspected - failed,
        "units_failed": failed,
        "result": "FAIL" if failed else "PASS",
        "rework_cost": rework,
    }


INSPECTIONS = [
    _inspection(1, "FINAL", 100, 500, _ts(DAY, "09:00"), 100, 5, rework=50),
    _inspection(2, "IN_PROCESS", 100, 500, _ts(DAY, "15:00"), 50, 0),
    _inspection(3, "INCOMING", 100, 500, _ts(DAY, "10:00"), 40, 4),
    _inspection(4, "FINAL", 100, None, _ts(DAY, "11:00"), 10, 1),
    # Nothing inspected: no defect rate, but the rework cost counts.
    _inspection(5, "FINAL", 200, 501, _ts(DAY, "12:00"), 0, 0, rework=10),
    _inspection(6, "FINAL", 100, 500, _ts(BEFORE, "23:59"), 20, 7),
]
DEFECTS = [
    {
        "inspection_id": i,
        "defect_code": f"D-{s}",
        "defect_category": "DIMENSION",
        "severity": s,
        "quantity": q,
        "detected_at": next(x["inspected_at"] for x in INSPECTIONS if x["inspection_id"] == i),
    }
    for i, s, q in [
        (1, "MAJOR", 2),
        (1, "MAJOR", 1),
        (1, "MINOR", 2),
        (1, "CRITICAL", 1),
        (2, "MINOR", 1),
        (3, "MAJOR", 4),
        (6, "MAJOR", 7),
    ]
]


def _status(machine, status, start, end, reason):
    return {
        "machine_id": machine,
        "status": status,
        "started_at": start,
        "ended_at": end,
        "reason_code": reason,
    }


STATES = [
    # 90 minutes of this interval fall on the day.
    _status(1, "DOWN", _ts(BEFORE, "23:00"), _ts(DAY, "01:30"), "E1"),
    _status(1, "DOWN", _ts(DAY, "10:00"), _ts(DAY, "10:45"), "E2"),
    _status(1, "PLANNED_DOWNTIME", _ts(DAY, "12:00"), _ts(DAY, "13:00"), "PM"),
    _status(1, "IDLE", _ts(DAY, "14:00"), _ts(DAY, "15:00"), "NO_ORDER"),
    # No reason recorded; 30 minutes on the day, 30 on the next.
    _status(1, "DOWN", _ts(DAY, "23:30"), _ts(AFTER, "00:30"), None),
    _status(2, "PLANNED_DOWNTIME", _ts(DAY, "06:00"), _ts(DAY, "08:00"), "PM"),
    _status(9, "DOWN", _ts(DAY, "05:00"), _ts(DAY, "05:20"), "E9"),
    # Still open: counts until midnight on the day, the whole next day, and so on.
    _status(9, "DOWN", _ts(DAY, "22:00"), None, "E9"),
]


def _fault(machine, start, end):
    return {
        "machine_id": machine,
        "fault_code": "F",
        "fault_category": "MECHANICAL",
        "severity": "HIGH",
        "fault_start": start,
        "fault_end": end,
    }


FAULTS = [
    _fault(1, _ts(BEFORE, "23:00"), _ts(DAY, "01:30")),
    _fault(1, _ts(DAY, "10:00"), _ts(DAY, "10:45")),
    _fault(1, _ts(DAY, "23:30"), None),
    # A fault without any status change or run that day.
    _fault(3, _ts(DAY, "08:00"), _ts(DAY, "08:30")),
]


def _run_log(machine, start, run_minutes):
    return {
        "machine_id": machine,
        "line_id": MACHINE_LINE[machine],
        "factory_id": LINE_FACTORY[MACHINE_LINE[machine]],
        "shift_code": "A",
        "run_start": start,
        "run_end": start,
        "planned_minutes": 480,
        "run_minutes": run_minutes,
        "ideal_cycle_time_s": 30,
        "units_produced": 100,
        "units_good": 100,
        "units_rejected": 0,
    }


RUNS = [
    _run_log(1, _ts(DAY, "06:00"), 420),
    _run_log(1, _ts(DAY, "14:00"), 400),
    _run_log(2, _ts(DAY, "06:00"), 300),
    _run_log(1, _ts(BEFORE, "14:00"), 450),
]


@pytest.fixture(scope="module")
def production(contracts):
    harness.clear(contracts, "master", ("factories", "products"))
    harness.put(contracts, "master", "factories", FACTORIES)
    harness.put(contracts, "master", "production_lines", LINES)
    harness.put(contracts, "master", "machines", MACHINES)
    harness.put(contracts, "master", "products", PRODUCTS)
    harness.clear(contracts, "manufacturing", ("work_orders",))
    harness.put(contracts, "manufacturing", "work_orders", WORK_ORDERS)
    harness.put(contracts, "manufacturing", "labor_transactions", LABOUR)
    harness.put(contracts, "manufacturing", "material_consumption", MATERIAL)
    harness.put(contracts, "manufacturing", "production_schedules", SCHEDULES)
    harness.clear(contracts, "erp", ("standard_costs",))
    harness.put(
        contracts,
        "erp",
        "standard_costs",
        [
            {
                "item_type": "PRODUCT",
                "item_id": c["item_id"],
                "unit_cost": 10,
                "overhead_cost": c["overhead"],
                "valid_from": c["valid_from"],
                "valid_to": c["valid_to"],
            }
            for c in STANDARD_COSTS
        ],
    )
    harness.clear(contracts, "quality", ("inspections",))
    harness.put(contracts, "quality", "inspections", INSPECTIONS)
    harness.put(contracts, "quality", "defects", DEFECTS)
    harness.clear(
        contracts,
        "operations",
        ("production_run_logs", "equipment_status_changes", "machine_faults"),
    )
    harness.put(contracts, "operations", "production_run_logs", RUNS)
    harness.put(contracts, "operations", "equipment_status_changes", STATES)
    harness.put(contracts, "operations", "machine_faults", FAULTS)
    return contracts


def _materialize_day(settings, instance, table, key_columns):
    """Materialise `table` for DAY; return its rows by grain key, after asserting every data
    test passed."""
    result = harness.materialize(harness.defs(), "reporting", table, day=DAY, instance=instance)
    checks = harness.check_results(result)
    assert all(c.passed for c in checks.values()), {n: c.description for n, c in checks.items()}
    assert any(name.startswith("reconcile_") for name in checks)
    rows = harness.published(settings, "reporting", table, "date = %s", (DAY,))
    return {
        tuple(r[k] if isinstance(r[k], str) else int(r[k]) for k in key_columns): r
        for r in rows.to_dict("records")
    }


def _overhead_rate(product, day):
    for cost in STANDARD_COSTS:
        valid_to = date.fromisoformat(cost["valid_to"])
        if cost["item_id"] == product and date.fromisoformat(cost["valid_from"]) <= day < valid_to:
            return cost["overhead"]
    return None


def test_production_summary_daily(production, instance):
    rows = _materialize_day(production, instance, "production_summary_daily", ("line_id",))
    orders = {w["work_order_id"]: w for w in WORK_ORDERS}

    def expected(line):
        planned = [
            w
            for w in WORK_ORDERS
            if w["line_id"] == line
            and _utc_day(w["planned_start"]) == DAY
            and w["status"] != "CANCELLED"
        ]
        plan = sum(w["quantity_planned"] for w in planned)
        actual = sum(w["quantity_completed"] for w in planned)
        rates = [(w["quantity_completed"], _overhead_rate(w["product_id"], DAY)) for w in planned]
        overhead = (
            None if any(q and r is None for q, r in rates) else sum(q * r for q, r in rates if q)
        )
        return {
            "factory_id": LINE_FACTORY[line],
            "planned_quantity": plan,
            "actual_quantity": actual,
            "variance_ratio": (actual - plan) / plan if plan else None,
            "labor_hours": sum(
                t["hours"]
                for t in LABOUR
                if t["work_date"] == DAY and orders[t["work_order_id"]]["line_id"] == line
            ),
            "material_cost": sum(
                m["quantity"] * m["unit_cost"]
                for m in MATERIAL
                if _utc_day(m["consumed_at"]) == DAY
                and orders[m["work_order_id"]]["line_id"] == line
            ),
            "overhead_cost": overhead,
        }

    assert set(rows) == {(10,), (11,), (12,)}
    for (line,), row in rows.items():
        assert_row(row, expected(line))
    # Spelled out: the new rate of product 500 applies; 502 has none; line 12 planned nothing.
    assert_row(rows[(10,)], {"planned_quantity": 150, "overhead_cost": 90 * 2.0 + 55 * 0.8})
    assert_row(rows[(11,)], {"overhead_cost": None, "variance_ratio": -0.5})
    assert_row(rows[(12,)], {"planned_quantity": 0, "variance_ratio": None, "labor_hours": 3})


def test_work_order_summary(production, instance):
    rows = _materialize_day(production, instance, "work_order_summary", ("work_order_id",))
    assert set(rows) == {(1,), (2,), (3,), (4,)}
    for (wo_id,), row in rows.items():
        order = next(w for w in WORK_ORDERS if w["work_order_id"] == wo_id)
        labour = [t for t in LABOUR if t["work_order_id"] == wo_id]
        material = [m for m in MATERIAL if m["work_order_id"] == wo_id]
        labour_cost = sum(t["hours"] * t["labor_rate"] for t in labour)
        material_cost = sum(m["quantity"] * m["unit_cost"] for m in material)
        scrap_cost = sum(m["scrap_quantity"] * m["unit_cost"] for m in material)
        assert_row(
            row,
            {
                "work_order_number": order["work_order_number"],
                "sku": SKUS.get(order["product_id"]),
                "date_started": _utc_day(order.get("actual_start")),
                "date_completed": _utc_day(order.get("actual_end")),
                "quantity_planned": order["quantity_planned"],
                "quantity_completed": order["quantity_completed"],
                "quantity_scrap": order["quantity_scrap"],
                "labor_hours_actual": sum(t["hours"] for t in labour),
                "labor_cost": labour_cost,
                "material_cost": material_cost,
                "scrap_cost": scrap_cost,
                "cost_actual": labour_cost + material_cost + scrap_cost,
                "status": order["status"],
            },
        )
    # Bookings of the next day count; the order ended after midnight.
    assert_row(
        rows[(1,)],
        {"labor_hours_actual": 10, "cost_actual": 6 * 40 + 4 * 45 + 12 * 5 + 1 * 5},
    )
    assert rows[(1,)]["date_completed"] == AFTER
    assert_row(rows[(4,)], {"sku": None})


def test_material_consumption_daily(production, instance):
    rows = _materialize_day(
        production, instance, "material_consumption_daily", ("material_id", "plant_location")
    )
    assert set(rows) == {(900, "F100"), (901, "F100"), (900, "F200")}
    for (material, plant), row in rows.items():
        consumed = [
            m
            for m in MATERIAL
            if m["material_id"] == material
            and f"F{m['factory_id']}" == plant
            and _utc_day(m["consumed_at"]) == DAY
        ]
        quantity = sum(m["quantity"] for m in consumed)
        cost = sum(m["quantity"] * m["unit_cost"] for m in consumed)
        assert_row(
            row,
            {
                "factory_id": int(plant[1:]),
                "quantity_consumed": quantity,
                "cost_consumed": cost,
                "unit_cost": cost / quantity if quantity else None,
                "scrap_quantity": sum(m["scrap_quantity"] for m in consumed),
                "scrap_cost": sum(m["scrap_quantity"] * m["unit_cost"] for m in consumed),
            },
        )
    assert_row(rows[(900, "F100")], {"unit_cost": (10 * 5.0 + 3 * 6.0) / 13})
    assert_row(rows[(900, "F200")], {"unit_cost": None, "scrap_cost": 10})


def test_production_schedule_performance(production, instance):
    rows = _materialize_day(
        production, instance, "production_schedule_performance", ("production_line_id",)
    )
    assert set(rows) == {(10,), (11,)}
    for (line,), row in rows.items():
        of_day = [
            s for s in SCHEDULES if s["line_id"] == line and _utc_day(s["scheduled_start"]) == DAY
        ]
        live = [s for s in of_day if s["status"] != "CANCELLED"]
        on_time_start = [
            s
            for s in live
            if s["actual_start"]
            and abs(
                datetime.fromisoformat(s["actual_start"])
                - datetime.fromisoformat(s["scheduled_start"])
            )
            <= timedelta(minutes=15)
        ]
        completed = [s for s in live if s["actual_end"]]
        on_time_end = [s for s in completed if s["actual_end"] <= s["scheduled_end"]]
        delay_by_reason: dict[str, float] = {}
        for s in live:
            if s["delay_reason"]:
                delay_by_reason[s["delay_reason"]] = (
                    delay_by_reason.get(s["delay_reason"], 0) + s["delay_minutes"]
                )
        causes = sorted(
            (r for r in delay_by_reason if delay_by_reason[r] > 0),
            key=lambda r: (-delay_by_reason[r], r),
        )
        assert_row(
            row,
            {
                "schedules_total": len(live),
                "schedules_cancelled": len(of_day) - len(live),
                "schedules_started_on_time": len(on_time_start),
                "schedule_compliance_ratio": len(on_time_start) / len(live) if live else None,
                "schedules_completed": len(completed),
                "schedules_completed_on_time": len(on_time_end),
                "on_time_delivery_ratio": len(on_time_end) / len(completed) if completed else None,
                "delay_minutes_total": sum(s["delay_minutes"] for s in live),
                "root_causes": ", ".join(causes) if causes else None,
            },
        )
    assert_row(
        rows[(10,)],
        {
            "schedule_compliance_ratio": 2 / 5,
            "on_time_delivery_ratio": 2 / 3,
            "root_causes": "MACHINE, MATERIAL",
        },
    )


def test_quality_summary_daily(production, instance):
    rows = _materialize_day(
        production, instance, "quality_summary_daily", ("factory_id", "product_id")
    )
    assert set(rows) == {(100, 500), (200, 501)}
    for (factory, product), row in rows.items():
        counted = [
            i
            for i in INSPECTIONS
            if i["factory_id"] == factory
            and i["product_id"] == product
            and i["inspection_type"] in ("IN_PROCESS", "FINAL")
            and _utc_day(i["inspected_at"]) == DAY
        ]
        ids = {i["inspection_id"] for i in counted}
        inspected = sum(i["units_inspected"] for i in counted)
        failed = sum(i["units_failed"] for i in counted)

        def defects(severity, ids=ids):
            return sum(
                d["quantity"]
                for d in DEFECTS
                if d["inspection_id"] in ids and d["severity"] == severity
            )

        assert_row(
            row,
            {
                "inspection_count": len(counted),
                "units_inspected": inspected,
                "units_passed": sum(i["units_passed"] for i in counted),
                "units_failed": failed,
                "defect_rate": failed / inspected if inspected else None,
                "critical_defects": defects("CRITICAL"),
                "major_defects": defects("MAJOR"),
                "minor_defects": defects("MINOR"),
                "rework_cost": sum(i["rework_cost"] for i in counted),
            },
        )
    assert_row(rows[(100, 500)], {"defect_rate": 5 / 150, "major_defects": 3})
    assert_row(rows[(200, 501)], {"defect_rate": None, "rework_cost": 10})


def _hours(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


def _expected_downtime(machine, day):
    start = datetime.combine(day, time(), UTC)
    end = start + timedelta(days=1)
    minutes = {"DOWN": 0.0, "PLANNED_DOWNTIME": 0.0}
    by_reason: dict[str, float] = {}
    for s in STATES:
        if s["machine_id"] != machine or s["status"] not in minutes:
            continue
        ended = datetime.fromisoformat(s["ended_at"]) if s["ended_at"] else end
        overlap = min(ended, end) - max(datetime.fromisoformat(s["started_at"]), start)
        if overlap > timedelta(0):
            reason = s["reason_code"] or "UNSPECIFIED"
            minutes[s["status"]] += overlap.total_seconds() / 60
            by_reason[reason] = by_reason.get(reason, 0) + overlap.total_seconds() / 60
    ranked = [*sorted(by_reason, key=lambda r: (-by_reason[r], r)), None, None]
    started = [
        f for f in FAULTS if f["machine_id"] == machine and _utc_day(f["fault_start"]) == day
    ]
    repaired = [
        f
        for f in FAULTS
        if f["machine_id"] == machine and f["fault_end"] and _utc_day(f["fault_end"]) == day
    ]
    run_hours = (
        sum(
            r["run_minutes"]
            for r in RUNS
            if r["machine_id"] == machine and _utc_day(r["run_start"]) == day
        )
        / 60
    )
    return {
        "production_line_id": MACHINE_LINE.get(machine),
        "downtime_minutes": minutes["DOWN"] + minutes["PLANNED_DOWNTIME"],
        "planned_downtime": minutes["PLANNED_DOWNTIME"],
        "unplanned_downtime": minutes["DOWN"],
        "primary_reason": ranked[0],
        "secondary_reason": ranked[1],
        "run_hours": run_hours,
        "fault_count": len(started),
        "faults_repaired": len(repaired),
        "mtbf_hours": run_hours / len(started) if started else None,
        "mttr_hours": (
            sum(_hours(f["fault_start"], f["fault_end"]) for f in repaired) / len(repaired)
            if repaired
            else None
        ),
    }


def test_downtime_summary_daily(production, instance):
    rows = _materialize_day(production, instance, "downtime_summary_daily", ("machine_id",))
    assert set(rows) == {(1,), (2,), (3,), (9,)}
    for (machine,), row in rows.items():
        assert_row(row, _expected_downtime(machine, DAY))
    assert_row(
        rows[(1,)],
        {
            "unplanned_downtime": 90 + 45 + 30,
            "primary_reason": "E1",
            "secondary_reason": "PM",
            "mttr_hours": (2.5 + 0.75) / 2,
        },
    )
    assert_row(rows[(2,)], {"mtbf_hours": None, "mttr_hours": None, "secondary_reason": None})
    # Unknown to master data, with an interval still open.
    assert_row(rows[(9,)], {"production_line_id": None, "downtime_minutes": 20 + 120})


@pytest.mark.parametrize(
    ("table", "grain"),
    [
        ("production_summary_daily", "line_id"),
        ("downtime_summary_daily", "machine_id"),
        ("production_schedule_performance", "production_line_id"),
    ],
)
def test_a_range_gives_the_rows_of_its_single_days(production, instance, table, grain):
    defs = harness.defs()

    def window_rows():
        return harness.published(
            production,
            "reporting",
            table,
            f"date >= %s AND date <= %s ORDER BY date, {grain}",
            (BEFORE, AFTER),
        ).reset_index(drop=True)

    for day in (BEFORE, DAY, AFTER):
        harness.materialize(defs, "reporting", table, day=day, instance=instance)
    singles = window_rows()
    assert set(singles["date"]) == {BEFORE, DAY, AFTER}
    assert harness.materialize(
        defs, "reporting", table, start=BEFORE, end=AFTER, instance=instance
    ).success
    pd.testing.assert_frame_equal(window_rows(), singles)


def test_dashboard_query_of_production_uses_an_index(production, instance):
    harness.materialize(
        harness.defs(),
        "reporting",
        "production_summary_daily",
        start=BEFORE,
        end=AFTER,
        instance=instance,
    )
    params = {"factory_id": 100, "since": DAY - timedelta(days=30)}
    with mysql.connect(production.target("reporting")) as conn, conn.cursor() as cur:
        cur.execute(load_sql("dashboards", "production.sql"), params)
        assert [(row[0], row[1]) for row in cur.fetchall()] == [(AFTER, 10), (DAY, 10), (DAY, 11)]

    # Fifty other factories with two lines each over the same sixty days.
    filler = [
        {
            "date": DAY - timedelta(days=d),
            "line_id": 5000 + line,
            "factory_id": 5000 + line // 2,
            "planned_quantity": 100,
            "actual_quantity": 90,
            "labor_hours": 8,
            "material_cost": 500,
        }
        for line in range(100)
        for d in range(60)
    ]
    step = dashboard_plan(
        production, "production", params, "production_summary_daily", filler, "line_id >= 5000"
    )
    assert step["key"] == "idx_prod_summary_factory_date" and step["type"] != "ALL", step
