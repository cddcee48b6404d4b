"""Daily performance tables against hand-made data, with expected values computed here."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import dagster as dg
import pandas as pd
import pytest

from genims_platform.lib import mysql
from genims_platform.lib.sqlfiles import load_sql
from genims_platform_tests import harness

pytestmark = pytest.mark.integration

RUN_TABLES = ("production_run_logs", "equipment_status_changes", "machine_faults")


def _run(machine, line, start, end, planned, run, cycle_s, produced, good, factory=100):
    return {
        "machine_id": machine,
        "line_id": line,
        "factory_id": factory,
        "shift_code": "A",
        "run_start": start,
        "run_end": end,
        "planned_minutes": planned,
        "run_minutes": run,
        "ideal_cycle_time_s": cycle_s,
        "units_produced": produced,
        "units_good": good,
        "units_rejected": produced - good,
    }


RUNS = [
    _run(1, 10, "2025-03-01 06:00+00", "2025-03-01 14:00+00", 480, 420, 30, 800, 780),
    _run(1, 10, "2025-03-01 14:00+00", "2025-03-01 22:00+00", 480, 400, 30, 700, 690),
    _run(2, 10, "2025-03-01 22:00+00", "2025-03-02 06:00+00", 480, 480, 60, 450, 450),
    _run(3, 11, "2025-03-01 06:00+00", "2025-03-01 14:00+00", 0, 0, 45, 0, 0),
    _run(1, 10, "2025-03-02 06:00+00", "2025-03-02 14:00+00", 480, 300, 30, 500, 480),
]
STATES = [
    # A DOWN interval from 23:00 to 01:30 counts 60 minutes on day 1 and 90 on day 2.
    {
        "machine_id": 1,
        "status": "DOWN",
        "started_at": "2025-03-01 23:00+00",
        "ended_at": "2025-03-02 01:30+00",
        "reason_code": "E1",
    },
    {
        "machine_id": 1,
        "status": "PLANNED_DOWNTIME",
        "started_at": "2025-03-01 05:00+00",
        "ended_at": "2025-03-01 06:00+00",
        "reason_code": "PM",
    },
]
FAULTS = [
    {
        "machine_id": 1,
        "fault_code": "E1",
        "fault_category": "ELECTRICAL",
        "severity": "HIGH",
        "fault_start": "2025-03-01 23:00+00",
        "fault_end": "2025-03-02 01:30+00",
    },
]


@pytest.fixture
def operations(contracts):
    harness.clear(contracts, "operations", RUN_TABLES)
    harness.put(contracts, "operations", "production_run_logs", RUNS)
    harness.put(contracts, "operations", "equipment_status_changes", STATES)
    harness.put(contracts, "operations", "machine_faults", FAULTS)
    return contracts


def _expected_machine_day(runs, downtime, faults):
    planned = sum(r["planned_minutes"] for r in runs)
    run = sum(r["run_minutes"] for r in runs)
    ideal = sum(r["ideal_cycle_time_s"] * r["units_produced"] for r in runs) / 60
    produced = sum(r["units_produced"] for r in runs)
    good = sum(r["units_good"] for r in runs)
    a = run / planned if planned else None
    p = ideal / run if run else None
    q = good / produced if produced else None
    oee = a * p * q if None not in (a, p, q) else None
    return {
        "availability_ratio": a,
        "performance_ratio": p,
        "quality_ratio": q,
        "oee_overall": oee,
        "planned_production_minutes": planned,
        "total_runtime_minutes": run,
        "downtime_minutes": downtime,
        "fault_count": faults,
        "units_produced": produced,
        "units_good": good,
        "units_rejected": produced - good,
        "scrap_rate": (produced - good) / produced if produced else None,
    }


def assert_row(actual, expected):
    """Every expected value matches, up to the rounding of the stored DECIMAL to its scale."""
    for column, value in expected.items():
        got = actual[column]
        if value is None:
            # pandas reads a NULL of a text column as NaN.
            assert got is None or pd.isna(got), column
        elif isinstance(value, (str, date)):
            assert got == value, column
        else:
            scale = -got.as_tuple().exponent if isinstance(got, Decimal) else 6
            assert float(got) == pytest.approx(value, abs=0.5 * 10**-scale + 1e-9), column


def dashboard_plan(settings, category, params, table, filler, remove):
    """The EXPLAIN step on `table` of the category's sample dashboard query, at a realistic
    volume: with a handful of rows every plan is cheap and the optimizer's choice proves nothing,
    so `filler` rows of other keys are added for the plan and removed again (`remove` is the
    predicate that selects them)."""
    query = load_sql("dashboards", f"{category}.sql")
    columns = list(filler[0])
    insert = (
        f"INSERT INTO {table} ({', '.join(columns)}, updated_at) "
        f"VALUES ({', '.join(['%s'] * len(columns))}, NOW(6))"
    )
    with mysql.connect(settings.target("reporting"), autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.executemany(insert, [tuple(row[c] for c in columns) for row in filler])
            try:
                cur.execute(f"ANALYZE TABLE {table}")
                cur.fetchall()
                cur.execute("EXPLAIN " + query, params)
                names = [d[0] for d in cur.description]
                plan = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            finally:
                cur.execute(f"DELETE FROM {table} WHERE {remove}")
    return next(step for step in plan if step["table"] == table)


def test_machine_performance_daily(operations):
    result = harness.materialize(
        harness.defs(), "reporting", "machine_performance_daily", day=date(2025, 3, 1)
    )
    assert result.success
    rows = harness.published(
        operations, "reporting", "machine_performance_daily", "date = %s", (date(2025, 3, 1),)
    )
    by_machine = {int(r["machine_id"]): r for r in rows.to_dict("records")}
    assert set(by_machine) == {1, 2, 3}  # machine 2's night run starts on day 1
    assert_row(by_machine[1], _expected_machine_day(RUNS[0:2], downtime=60, faults=1))
    assert_row(by_machine[2], _expected_machine_day(RUNS[2:3], downtime=0, faults=0))
    # A run with no planned time and no output yields NULL ratios, not a division by zero.
    assert_row(by_machine[3], _expected_machine_day(RUNS[3:4], downtime=0, faults=0))

    checks = harness.check_results(result)
    assert all(c.passed for c in checks.values()), {n: c.description for n, c in checks.items()}


def test_machine_performance_daily_second_day_gets_the_rest_of_the_downtime(operations):
    harness.materialize(
        harness.defs(), "reporting", "machine_performance_daily", day=date(2025, 3, 2)
    )
    rows = harness.published(
        operations, "reporting", "machine_performance_daily", "date = %s", (date(2025, 3, 2),)
    )
    row = rows.to_dict("records")[0]
    assert_row(row, _expected_machine_day(RUNS[4:5], downtime=90, faults=0))


def test_out_of_range_value_blocks_the_partition_and_names_the_row(operations):
    day = date(2025, 3, 5)
    # Good units above units produced: quality above 1 is impossible.
    bad = _run(7, 10, "2025-03-05 06:00+00", "2025-03-05 14:00+00", 480, 400, 30, 100, 90)
    bad["units_good"], bad["units_rejected"] = 150, 0
    harness.put(operations, "operations", "production_run_logs", [bad])
    result = harness.materialize(
        harness.defs(), "reporting", "machine_performance_daily", day=day, raise_on_error=False
    )
    assert not result.success
    check = harness.check_results(result)["values_in_range"]
    assert not check.passed
    offending = check.metadata["offending_rows_json"].value
    assert {"machine_id": 7, "column": "quality_ratio"}.items() <= offending[0].items()
    published = harness.published(
        operations, "reporting", "machine_performance_daily", "date = %s", (day,)
    )
    assert published.empty  # nothing reached readers


# Lines, factories and the OEE trend: their own days (April) and their own master data.
@pytest.fixture(scope="module")
def instance():
    """One Dagster instance for the module's runs (a fresh one per run costs a second each)."""
    with dg.instance_for_test() as inst:
        yield inst


LINE_DAY = date(2025, 4, 10)
FACTORIES = [
    {
        "factory_id": f,
        "factory_code": f"F{f}",
        "factory_name": f"Plant {f}",
        "country": "DE",
        "region": "EU",
        "city": "Berlin",
    }
    for f in (100, 200, 300)
]
LINES = [
    {
        "line_id": line,
        "factory_id": factory,
        "line_code": f"L{line}",
        "line_name": f"Line {line}",
        "line_type": "ASSEMBLY",
        "design_capacity_units_per_hour": 100,
    }
    for line, factory in ((10, 100), (11, 300), (12, 200))
]
LINE_RUNS = [
    _run(1, 10, "2025-04-10 06:00+00", "2025-04-10 14:00+00", 480, 420, 30, 800, 780),
    _run(2, 10, "2025-04-10 14:00+00", "2025-04-10 22:00+00", 480, 360, 45, 400, 380),
    # Crosses midnight: belongs to the day it started.
    _run(1, 10, "2025-04-10 22:00+00", "2025-04-11 06:00+00", 480, 450, 30, 900, 870),
    # Planned nothing and made nothing: utilisation and OEE have no denominator.
    _run(3, 11, "2025-04-10 06:00+00", "2025-04-10 14:00+00", 0, 0, 45, 0, 0, factory=300),
    # The evening before: not part of the day.
    _run(1, 10, "2025-04-09 23:00+00", "2025-04-10 05:00+00", 360, 300, 30, 500, 500),
]


def _work_order(number, line, factory, product=500, planned_start="2025-04-10 06:00+00"):
    return {
        "work_order_id": number,
        "work_order_number": f"WO-{number}",
        "product_id": product,
        "line_id": line,
        "factory_id": factory,
        "quantity_planned": 100,
        "status": "IN_PROGRESS",
        "planned_start": planned_start,
        "planned_end": "2025-04-12 06:00+00",
    }


def _labour(work_order, line, work_date, hours):
    return {
        "work_order_id": work_order,
        "employee_id": 1,
        "line_id": line,
        "shift_code": "A",
        "work_date": work_date,
        "hours": hours,
        "labor_rate": 40,
        "labor_cost": hours * 40,
    }


LABOUR = [
    _labour(9001, 10, "2025-04-10", 8),
    _labour(9001, 10, "2025-04-10", 7.5),
    # Line 12 booked labour but did not run.
    _labour(9002, 12, "2025-04-10", 4),
    _labour(9001, 10, "2025-04-11", 3),
]


def _order(order_id, factory, ship_date, status="SHIPPED"):
    return {
        "sales_order_id": order_id,
        "order_number": f"SO-{order_id}",
        "customer_id": 1,
        "sales_rep_id": 1,
        "factory_id": factory,
        "order_date": "2025-04-01",
        "requested_delivery_date": "2025-04-15",
        "promised_delivery_date": "2025-04-15",
        "ship_date": ship_date,
        "total_amount": 0,
        "status": status,
        "payment_status": "UNPAID",
    }


def _order_line(order_id, line_no, product, quantity, amount):
    return {
        "sales_order_id": order_id,
        "line_no": line_no,
        "product_id": product,
        "quantity": quantity,
        "unit_price": amount / quantity,
        "line_amount": amount,
    }


SALES_ORDERS = [
    _order(1, 100, "2025-04-10"),
    _order(2, 100, "2025-04-10", status="CANCELLED"),
    _order(3, 100, "2025-04-11"),
    _order(4, 200, "2025-04-10"),
    _order(5, 100, None, status="OPEN"),
]
SALES_LINES = [
    _order_line(1, 1, 500, 10, 1000),
    _order_line(1, 2, 501, 5, 250),
    _order_line(2, 1, 500, 99, 9900),
    _order_line(3, 1, 500, 1, 100),
    # Product 502 has no standard cost: factory 200's cost of goods is unknown.
    _order_line(4, 1, 502, 2, 300),
    _order_line(5, 1, 500, 7, 700),
]


def _cost(product, unit_cost, valid_from, valid_to="9999-12-31", overhead=0):
    return {
        "item_type": "PRODUCT",
        "item_id": product,
        "unit_cost": unit_cost,
        "overhead_cost": overhead,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


# Product 500 changed cost on the ship day itself (valid_to is exclusive).
STANDARD_COSTS = [
    _cost(500, 11.0, "2025-01-01", "2025-04-10"),
    _cost(500, 12.5, "2025-04-10"),
    _cost(501, 20.0, "2025-01-01"),
]


@pytest.fixture
def line_and_factory(contracts):
    harness.clear(contracts, "master", ("factories",))
    harness.put(contracts, "master", "factories", FACTORIES)
    harness.put(contracts, "master", "production_lines", LINES)
    harness.clear(contracts, "operations", RUN_TABLES)
    harness.put(contracts, "operations", "production_run_logs", LINE_RUNS)
    harness.clear(contracts, "manufacturing", ("work_orders",))
    harness.put(
        contracts,
        "manufacturing",
        "work_orders",
        [_work_order(9001, 10, 100), _work_order(9002, 12, 200)],
    )
    harness.put(contracts, "manufacturing", "labor_transactions", LABOUR)
    harness.clear(contracts, "erp", ("sales_orders", "standard_costs"))
    harness.put(contracts, "erp", "sales_orders", SALES_ORDERS)
    harness.put(contracts, "erp", "sales_order_lines", SALES_LINES)
    harness.put(contracts, "erp", "standard_costs", STANDARD_COSTS)
    return contracts


def _day_runs(runs, day, **match):
    return [
        r
        for r in runs
        if r["run_start"].startswith(day.isoformat()) and all(r[k] == v for k, v in match.items())
    ]


def _expected_line_day(runs, labour_hours):
    planned = sum(r["planned_minutes"] for r in runs)
    run = sum(r["run_minutes"] for r in runs)
    good = sum(r["units_good"] for r in runs)
    fully_productive = sum(r["ideal_cycle_time_s"] * r["units_good"] for r in runs) / 60
    return {
        "line_utilization_ratio": run / planned if planned else None,
        "planned_production_minutes": planned,
        "total_runtime_minutes": run,
        "throughput": sum(r["units_produced"] for r in runs),
        "units_good": good,
        "throughput_units_per_hour": good / (run / 60) if run else None,
        "oee_daily": fully_productive / planned if planned else None,
        "defect_count": sum(r["units_rejected"] for r in runs),
        "labor_hours": labour_hours,
    }


def test_line_performance_daily(line_and_factory, instance):
    result = harness.materialize(
        harness.defs(), "reporting", "line_performance_daily", day=LINE_DAY, instance=instance
    )
    rows = harness.published(
        line_and_factory, "reporting", "line_performance_daily", "date = %s", (LINE_DAY,)
    )
    by_line = {int(r["production_line_id"]): r for r in rows.to_dict("records")}
    assert set(by_line) == {10, 11, 12}
    assert {k: int(by_line[k]["factory_id"]) for k in by_line} == {10: 100, 11: 300, 12: 200}
    assert_row(by_line[10], _expected_line_day(_day_runs(LINE_RUNS, LINE_DAY, line_id=10), 15.5))
    assert_row(by_line[11], _expected_line_day(_day_runs(LINE_RUNS, LINE_DAY, line_id=11), 0))
    # Staffed but idle: a row with its labour and no output.
    assert_row(by_line[12], _expected_line_day([], 4))

    checks = harness.check_results(result)
    assert {"reconcile_units_produced", "reconcile_labor_hours"} <= set(checks)
    assert all(c.passed for c in checks.values()), {n: c.description for n, c in checks.items()}


def test_factory_performance_daily(line_and_factory, instance):
    result = harness.materialize(
        harness.defs(), "reporting", "factory_performance_daily", day=LINE_DAY, instance=instance
    )
    rows = harness.published(
        line_and_factory, "reporting", "factory_performance_daily", "date = %s", (LINE_DAY,)
    )
    by_factory = {int(r["factory_id"]): r for r in rows.to_dict("records")}
    assert set(by_factory) == {100, 200, 300}

    def expected(runs, orders, revenue, cost):
        planned = sum(r["planned_minutes"] for r in runs)
        run = sum(r["run_minutes"] for r in runs)
        return {
            "factory_utilization_ratio": run / planned if planned else None,
            "planned_production_minutes": planned,
            "total_runtime_minutes": run,
            "total_units_produced": sum(r["units_produced"] for r in runs),
            "units_good": sum(r["units_good"] for r in runs),
            "orders_shipped": orders,
            "total_revenue": revenue,
            "cost_of_goods": cost,
        }

    # Order 1 only (2 is cancelled, 3 ships the next day, 5 has not shipped); product 500 at
    # the cost valid from the ship day, product 501 at its only cost.
    assert_row(
        by_factory[100],
        expected(_day_runs(LINE_RUNS, LINE_DAY, factory_id=100), 1, 1250, 10 * 12.5 + 5 * 20),
    )
    # Shipped but did not run; its product has no standard cost.
    assert_row(by_factory[200], expected([], 1, 300, None))
    # Ran (without planned time) but shipped nothing: revenue and cost are zero, not unknown.
    assert_row(by_factory[300], expected(_day_runs(LINE_RUNS, LINE_DAY, factory_id=300), 0, 0, 0))

    checks = harness.check_results(result)
    assert {"reconcile_units_produced", "reconcile_revenue"} <= set(checks)
    assert all(c.passed for c in checks.values()), {n: c.description for n, c in checks.items()}


def test_dashboard_query_of_daily_performance_uses_an_index(line_and_factory, instance):
    harness.materialize(
        harness.defs(),
        "reporting",
        "line_performance_daily",
        start=LINE_DAY - timedelta(days=3),
        end=LINE_DAY + timedelta(days=1),
        instance=instance,
    )
    params = {"production_line_id": 10, "since": LINE_DAY - timedelta(days=30)}
    with mysql.connect(line_and_factory.target("reporting")) as conn, conn.cursor() as cur:
        cur.execute(load_sql("dashboards", "daily_performance.sql"), params)
        assert [row[0] for row in cur.fetchall()] == [date(2025, 4, 11), LINE_DAY, date(2025, 4, 9)]

    # Fifty other lines over the same sixty days.
    filler = [
        {
            "date": LINE_DAY - timedelta(days=d),
            "production_line_id": 5000 + line,
            "factory_id": 100,
            "planned_production_minutes": 480,
            "total_runtime_minutes": 400,
            "throughput": 100,
            "units_good": 95,
            "defect_count": 5,
            "labor_hours": 8,
        }
        for line in range(50)
        for d in range(60)
    ]
    step = dashboard_plan(
        line_and_factory,
        "daily_performance",
        params,
        "line_performance_daily",
        filler,
        "production_line_id >= 5000",
    )
    assert step["key"] == "idx_line_perf_line_date" and step["type"] != "ALL", step


# OEE trend: machine 21 runs every day, 22 skips a day, 23 has a day without planned time.
OEE_DAYS = [date(2025, 4, 20), date(2025, 4, 21), date(2025, 4, 22)]
OEE_RUNS = [
    _run(21, 20, "2025-04-19 06:00+00", "2025-04-19 14:00+00", 480, 400, 30, 700, 690),
    _run(21, 20, "2025-04-20 06:00+00", "2025-04-20 14:00+00", 480, 440, 30, 820, 800),
    _run(21, 20, "2025-04-21 06:00+00", "2025-04-21 14:00+00", 480, 300, 30, 500, 450),
    _run(21, 20, "2025-04-22 22:00+00", "2025-04-23 06:00+00", 480, 470, 30, 900, 900),
    _run(22, 20, "2025-04-20 06:00+00", "2025-04-20 14:00+00", 480, 480, 60, 450, 440),
    _run(22, 20, "2025-04-22 06:00+00", "2025-04-22 14:00+00", 480, 420, 60, 400, 400),
    _run(23, 21, "2025-04-21 06:00+00", "2025-04-21 14:00+00", 0, 0, 45, 0, 0),
    _run(23, 21, "2025-04-22 06:00+00", "2025-04-22 14:00+00", 480, 240, 45, 300, 290),
]


@pytest.fixture
def oee_runs(contracts):
    harness.clear(contracts, "operations", RUN_TABLES)
    harness.put(contracts, "operations", "production_run_logs", OEE_RUNS)
    return contracts


def _oee(runs):
    """OEE of one machine-day from its runs, or None when a factor has no denominator."""
    factors = _expected_machine_day(runs, downtime=0, faults=0)
    return factors["oee_overall"], factors


def _expected_oee_row(machine, day):
    today, factors = _oee(_day_runs(OEE_RUNS, day, machine_id=machine))
    yesterday_runs = _day_runs(OEE_RUNS, day - timedelta(days=1), machine_id=machine)
    yesterday = _oee(yesterday_runs)[0] if yesterday_runs else None
    return {
        "availability": factors["availability_ratio"],
        "performance": factors["performance_ratio"],
        "quality": factors["quality_ratio"],
        "oee_calculated": today,
        "oee_previous_day": yesterday,
        "trend_vs_yesterday": today - yesterday if None not in (today, yesterday) else None,
    }


def _oee_rows(settings):
    rows = harness.published(
        settings,
        "reporting",
        "oee_daily_summary",
        "date >= %s AND date <= %s ORDER BY date, machine_id",
        (OEE_DAYS[0], OEE_DAYS[-1]),
    )
    return rows.reset_index(drop=True)


def test_oee_daily_summary_single_day_reads_the_day_before(oee_runs, instance):
    result = harness.materialize(
        harness.defs(), "reporting", "oee_daily_summary", day=OEE_DAYS[0], instance=instance
    )
    checks = harness.check_results(result)
    assert all(c.passed for c in checks.values()), {n: c.description for n, c in checks.items()}
    rows = harness.published(
        oee_runs, "reporting", "oee_daily_summary", "date = %s", (OEE_DAYS[0],)
    )
    by_machine = {int(r["machine_id"]): r for r in rows.to_dict("records")}
    assert set(by_machine) == {21, 22}
    # Machine 21 ran on the 19th, outside the partition: its trend is still there.
    assert by_machine[21]["trend_vs_yesterday"] is not None
    for machine, row in by_machine.items():
        assert_row(row, _expected_oee_row(machine, OEE_DAYS[0]))


def test_oee_daily_summary_range_equals_single_days(oee_runs, instance):
    defs = harness.defs()
    for day in OEE_DAYS:
        harness.materialize(defs, "reporting", "oee_daily_summary", day=day, instance=instance)
    singles = _oee_rows(oee_runs)
    result = harness.materialize(
        defs,
        "reporting",
        "oee_daily_summary",
        start=OEE_DAYS[0],
        end=OEE_DAYS[-1],
        instance=instance,
    )
    assert result.success
    ranged = _oee_rows(oee_runs)
    pd.testing.assert_frame_equal(ranged, singles)

    for row in ranged.to_dict("records"):
        assert_row(row, _expected_oee_row(int(row["machine_id"]), row["date"]))
    by_key = {(r["date"], int(r["machine_id"])): r for r in ranged.to_dict("records")}
    # A gap day and a day without planned time leave no trend, not a trend from zero.
    assert by_key[(OEE_DAYS[2], 22)]["trend_vs_yesterday"] is None
    assert by_key[(OEE_DAYS[1], 23)]["oee_calculated"] is None
    assert by_key[(OEE_DAYS[2], 23)]["trend_vs_yesterday"] is None


def test_a_line_unknown_to_master_data_blocks_and_names_the_required_column(
    line_and_factory, instance
):
    day = date(2025, 4, 12)
    run = _run(77, 999, "2025-04-12 06:00+00", "2025-04-12 14:00+00", 480, 400, 30, 100, 99)
    harness.put(line_and_factory, "operations", "production_run_logs", [run])
    result = harness.materialize(
        harness.defs(),
        "reporting",
        "line_performance_daily",
        day=day,
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    check = harness.check_results(result)["required_not_null"]
    assert not check.passed
    assert check.metadata["offending_rows_json"].value == [
        {"date": "2025-04-12", "production_line_id": 999, "column": "factory_id"}
    ]
    published = harness.published(
        line_and_factory, "reporting", "line_performance_daily", "date = %s", (day,)
    )
    assert published.empty
