"""Facts on hand-made source rows: every key points at the dimension version valid on the
fact's day, late-arriving members and stale versions are repaired by later runs, reruns are
idempotent, a ranged backfill equals single days, machine hours are apportioned as defined,
and the foreign-key and reporting reconciliation tests behave."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from genims_platform.lib import mysql
from genims_platform.lib.dimensional import UNKNOWN_KEY
from genims_platform.lib.sqlfiles import load_sql
from genims_platform_tests import harness
from genims_platform_tests.analytics import support

pytestmark = pytest.mark.integration

MAR = lambda d: date(2025, 3, d)  # noqa: E731
OPEN_END = date(9999, 12, 31)
DIMENSIONS = ("dim_date", "dim_factory", "dim_customer", "dim_product", "dim_employee")


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _customer(cid: int, name: str) -> dict:
    return {
        "customer_id": cid, "customer_code": f"C{cid}", "customer_name": name,
        "customer_type": "OEM", "industry": "Automotive", "country": "DE", "region": "EMEA",
        "city": "Berlin", "updated_at": at(date(2025, 1, 2)),
    }  # fmt: skip


def _product(pid: int) -> dict:
    return {
        "product_id": pid, "sku": f"P{pid}", "product_name": f"Product {pid}",
        "category": "Components", "product_family": "F1", "list_price": 50,
        "standard_cost": 20, "updated_at": at(date(2025, 1, 2)),
    }  # fmt: skip


# (order id, day, customer, status, [(product, quantity, unit price, discount %, amount)])
ORDERS = [
    (1, MAR(9), 1, "CONFIRMED", [(10, 2, 50, 0, 100), (20, 1, 30, 0, 30)]),
    (2, MAR(10), 1, "CONFIRMED", [(10, 1, 50, 10, 45)]),
    (3, MAR(10), 2, "CANCELLED", [(20, 3, 30, 0, 90)]),
    (4, MAR(11), 7, "CONFIRMED", [(10, 1, 50, 0, 50)]),  # customer 7 arrives late
    (5, MAR(12), 2, "CONFIRMED", [(20, 2, 30, 0, 60)]),
    (6, MAR(14), 1, "SHIPPED", [(10, 4, 50, 0, 200)]),
]


def _put_sources(settings) -> None:
    harness.clear(settings, "master", ("factories", "customers", "products", "machines",
                                       "production_lines", "materials", "warehouses"))  # fmt: skip
    harness.clear(settings, "crm", ("customer_accounts", "sales_reps"))
    harness.clear(settings, "hr", ("departments", "employees"))
    harness.clear(settings, "erp", ("sales_orders", "sales_order_lines", "standard_costs"))
    harness.clear(settings, "financial", ("accounting_periods",))
    harness.put(settings, "master", "factories", [
        {"factory_id": 100, "factory_code": "F100", "factory_name": "Leipzig",
         "country": "DE", "region": "EMEA", "city": "Leipzig"},
    ])  # fmt: skip
    harness.put(settings, "master", "customers", [_customer(1, "Acme"), _customer(2, "Birch")])
    harness.put(settings, "master", "products", [_product(10), _product(20)])
    harness.put(settings, "crm", "customer_accounts", [
        {"account_id": 1, "customer_id": 1, "segment": "SMB", "updated_at": at(date(2025, 1, 2))},
        {"account_id": 2, "customer_id": 2, "segment": "ENTERPRISE",
         "updated_at": at(date(2025, 1, 2))},
    ])  # fmt: skip
    harness.put(settings, "hr", "departments", [
        {"department_id": 1, "department_code": "SALES", "department_name": "Sales"},
    ])  # fmt: skip
    harness.put(settings, "hr", "employees", [
        {"employee_id": 500, "employee_number": "E500", "first_name": "Dana",
         "last_name": "Sales", "email": "dana@example.com", "job_title": "Account manager",
         "department_id": 1, "employment_type": "FULL_TIME", "hire_date": date(2020, 1, 1),
         "hourly_rate": 40, "status": "ACTIVE", "updated_at": at(date(2025, 1, 2))},
    ])  # fmt: skip
    harness.put(settings, "crm", "sales_reps", [
        {"sales_rep_id": 5, "employee_id": 500, "rep_name": "Dana", "region": "EMEA",
         "team": "North", "commission_rate": 0.05},
    ])  # fmt: skip
    harness.put(settings, "erp", "standard_costs", [
        {"item_type": "PRODUCT", "item_id": 10, "unit_cost": 20, "valid_from": date(2025, 1, 1),
         "valid_to": OPEN_END},
    ])  # fmt: skip
    _put_orders(settings, ORDERS)


def _put_orders(settings, orders) -> None:
    for oid, day, cid, status, lines in orders:
        harness.put(settings, "erp", "sales_orders", [{
            "sales_order_id": oid, "order_number": f"SO-{oid}", "customer_id": cid,
            "sales_rep_id": 5, "factory_id": 100, "order_date": day,
            "requested_delivery_date": day + timedelta(days=7),
            "promised_delivery_date": day + timedelta(days=7),
            "total_amount": sum(line[4] for line in lines), "status": status,
            "payment_status": "UNPAID",
        }])  # fmt: skip
        harness.put(settings, "erp", "sales_order_lines", [
            {"sales_order_line_id": oid * 10 + n, "sales_order_id": oid, "line_no": n,
             "product_id": p, "quantity": q, "unit_price": price, "discount_pct": disc,
             "line_amount": amount}
            for n, (p, q, price, disc, amount) in enumerate(lines, start=1)
        ])  # fmt: skip


@pytest.fixture(scope="module")
def defs():
    return support.definitions(reporting=("sales_by_product",))


@pytest.fixture
def plant(contracts, defs):
    """Sources as above, an empty warehouse, and the dimensions merged once."""
    _put_sources(contracts)
    support.reset(contracts)
    for name in DIMENSIONS:
        assert support.run(defs, name).success, name
    return contracts


def merge(defs, name: str) -> None:
    assert support.run(defs, name).success


def load(defs, table: str, *days: date) -> list:
    results = []
    for day in days:
        result = support.run(defs, table, day=day)
        assert result.success, (table, day)
        results.append(result)
    return results


def lines(settings, where: str = "1 = 1", params=()):
    return support.rows(settings, "fact_sales_order_line", "sales_order_line_id", where, params)


def key_of(settings, dimension: str, natural: str, nid: int, version: int | None = None) -> int:
    table = mysql.quote_ident(dimension)
    key = dimension.removeprefix("dim_") + "_key"
    clause = "AND version = %s" if version else ""
    with mysql.connect(settings.target("analytics")) as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT {key} FROM {table} WHERE {natural} = %s {clause}",
            (nid, version) if version else (nid,),
        )
        return int(cur.fetchone()[0])


def test_facts_point_at_the_version_valid_on_their_day(defs, plant):
    support.change(
        plant, "crm", "customer_accounts", {"customer_id": 1},
        {"segment": "STRATEGIC", "updated_at": at(MAR(10), 9)},
    )  # fmt: skip
    merge(defs, "dim_customer")
    load(defs, "fact_sales_order_line", MAR(9), MAR(10))

    v1, v2 = (
        key_of(plant, "dim_customer", "customer_id", 1, 1),
        key_of(plant, "dim_customer", "customer_id", 1, 2),
    )
    facts = lines(plant).set_index("sales_order_line_id")
    assert facts.loc[11, "customer_key"] == v1  # ordered the day before the change
    assert facts.loc[21, "customer_key"] == v2  # ordered on the day of the change
    assert facts.loc[11, "date_key"] == 20250309
    assert facts.loc[11, "product_key"] == key_of(plant, "dim_product", "product_id", 10)
    assert facts.loc[11, "factory_key"] == key_of(plant, "dim_factory", "factory_id", 100)
    assert facts.loc[11, "sales_rep_employee_key"] == key_of(
        plant, "dim_employee", "employee_id", 500
    )
    # Measures, from the definitions: gross = quantity x price, cost = quantity x standard
    # cost valid that day (none for product 20), margin = net - cost.
    assert (facts.loc[11, "gross_amount"], facts.loc[11, "cost_amount"]) == (100, 40)
    assert facts.loc[11, "margin_amount"] == 60
    assert facts.loc[12, "cost_amount"] is None
    assert (float(facts.loc[21, "discount_ratio"]), facts.loc[21, "gross_amount"]) == (0.1, 50)
    assert (facts.loc[31, "is_cancelled"], facts.loc[21, "is_cancelled"]) == (1, 0)

    # "Revenue by segment as it was then" is the dashboard's plain star join.
    query = load_sql("dashboards", "analytics.sql")
    params = {"start": MAR(1), "end": MAR(31)}
    with mysql.connect(plant.target("analytics")) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        assert [(m, s, n, float(v)) for m, s, n, v in cur.fetchall()] == [
            ("2025-03", "SMB", 2, 130.0),
            ("2025-03", "STRATEGIC", 1, 45.0),
        ]
        cur.execute("EXPLAIN " + query, params)
        names = [d[0] for d in cur.description]
        plan = {row[names.index("table")]: dict(zip(names, row, strict=True)) for row in cur}
    fact = plan["fact_sales_order_line"]
    assert fact["key"] == "idx_fsol_revenue" and "Using index" in fact["Extra"], plan


def test_a_late_arriving_member_is_repaired_by_a_later_run(defs, plant):
    (result,) = load(defs, "fact_sales_order_line", MAR(11))
    waiting = harness.check_results(result)["late_arriving_members"]
    assert not waiting.passed and waiting.severity.value == "WARN"
    assert [r["sales_order_line_id"] for r in waiting.metadata["offending_rows_json"].value] == [41]
    assert harness.check_results(result)["foreign_keys_resolve"].passed
    assert lines(plant)["customer_key"].tolist() == [UNKNOWN_KEY]

    harness.put(plant, "master", "customers", [_customer(7, "Late Ltd")])
    merge(defs, "dim_customer")
    (later,) = load(defs, "fact_sales_order_line", MAR(12))  # any later run repairs
    assert support.metadata(later, "fact_sales_order_line")["rows_repaired"]["customer_key"] == 1
    row = lines(plant, "sales_order_line_id = 41")
    assert row["customer_key"].tolist() == [key_of(plant, "dim_customer", "customer_id", 7)]
    assert support.check(defs, "fact_sales_order_line", "late_arriving_members").passed


def test_a_second_change_on_the_same_day_repoints_facts_loaded_in_between(defs, plant):
    support.change(
        plant, "crm", "customer_accounts", {"customer_id": 2},
        {"segment": "SMB", "updated_at": at(MAR(12), 8)},
    )  # fmt: skip
    merge(defs, "dim_customer")
    load(defs, "fact_sales_order_line", MAR(12))
    v2 = key_of(plant, "dim_customer", "customer_id", 2, 2)
    assert lines(plant, "sales_order_line_id = 51")["customer_key"].tolist() == [v2]

    support.change(
        plant, "crm", "customer_accounts", {"customer_id": 2},
        {"segment": "MID_MARKET", "updated_at": at(MAR(12), 16)},
    )  # fmt: skip
    merge(defs, "dim_customer")  # v2 becomes a zero-length version; v3 holds the day
    (later,) = load(defs, "fact_sales_order_line", MAR(9))
    v3 = key_of(plant, "dim_customer", "customer_id", 2, 3)
    assert lines(plant, "sales_order_line_id = 51")["customer_key"].tolist() == [v3]
    assert support.metadata(later, "fact_sales_order_line")["rows_repaired"]["customer_key"] == 1


def test_reruns_change_nothing(defs, plant):
    load(defs, "fact_sales_order_line", MAR(9), MAR(10), MAR(11), MAR(12))
    before = lines(plant)
    versions = support.rows(plant, "dim_customer", "customer_key")
    for name in DIMENSIONS:
        merge(defs, name)
    load(defs, "fact_sales_order_line", MAR(10), MAR(12))
    assert lines(plant).equals(before)
    assert support.rows(plant, "dim_customer", "customer_key").equals(versions)


# Operations and warehouse rows for the window-independence test: a night-shift run and a
# downtime interval that cross midnight, readings, a fault, stock movements before and during
# the window.
RUN = {
    "machine_id": 60, "line_id": 50, "factory_id": 100, "shift_code": "N",
    "run_start": at(MAR(9), 22), "run_end": at(MAR(10), 6), "planned_minutes": 480,
    "run_minutes": 450, "ideal_cycle_time_s": 30, "units_produced": 800, "units_good": 780,
    "units_rejected": 20,
}  # fmt: skip


def _put_operations(settings) -> None:
    harness.clear(settings, "operations", ("production_run_logs", "equipment_status_changes",
                                           "scada_points", "machine_faults"))  # fmt: skip
    harness.clear(settings, "maintenance", ("maintenance_work_orders",))
    harness.clear(settings, "wms", ("inventory_transactions",))
    harness.put(settings, "master", "production_lines", [
        {"line_id": 50, "factory_id": 100, "line_code": "L50", "line_name": "Line 50",
         "line_type": "ASSEMBLY", "design_capacity_units_per_hour": 120},
    ])  # fmt: skip
    harness.put(settings, "master", "machines", [
        {"machine_id": 60, "line_id": 50, "factory_id": 100, "machine_code": "M60",
         "machine_name": "Press", "machine_type": "PRESS", "ideal_cycle_time_s": 30},
    ])  # fmt: skip
    harness.put(settings, "master", "materials", [
        {"material_id": 30, "material_code": "M30", "material_name": "Steel",
         "material_type": "RAW", "unit_of_measure": "KG", "standard_cost": 2},
    ])  # fmt: skip
    harness.put(settings, "master", "warehouses", [
        {"warehouse_id": 40, "factory_id": 100, "warehouse_code": "W40",
         "warehouse_name": "Plant store", "warehouse_type": "PLANT", "country": "DE",
         "city": "Leipzig"},
    ])  # fmt: skip
    harness.put(settings, "operations", "production_run_logs", [RUN])
    harness.put(settings, "operations", "equipment_status_changes", [
        {"machine_id": 60, "status": "DOWN", "started_at": at(MAR(10), 23, 30),
         "ended_at": at(MAR(11), 0, 30), "reason_code": "JAM"},
    ])  # fmt: skip
    harness.put(settings, "operations", "scada_points", [
        {"point_id": 1, "machine_id": 60, "tag_name": "M60.T", "measurement": "TEMPERATURE",
         "unit": "degC", "low_limit": 10, "high_limit": 70},
    ])  # fmt: skip
    harness.put(settings, "operations", "sensor_readings", [
        {"point_id": 1, "machine_id": 60, "reading_ts": at(MAR(9), 22, 15), "value": 80},
        {"point_id": 1, "machine_id": 60, "reading_ts": at(MAR(9), 22, 45), "value": 60},
    ])  # fmt: skip
    harness.put(settings, "operations", "machine_faults", [
        {"fault_id": 900, "machine_id": 60, "fault_code": "E1", "fault_category": "MECH",
         "severity": "HIGH", "fault_start": at(MAR(10), 23, 30), "fault_end": at(MAR(11), 0, 30)},
    ])  # fmt: skip
    harness.put(settings, "wms", "inventory_transactions", [
        {"material_id": 30, "warehouse_id": 40, "tx_type": t, "quantity": q, "unit_cost": 2,
         "tx_ts": ts}
        for t, q, ts in (("RECEIPT", 100, at(date(2025, 2, 20))), ("ISSUE", -30, at(MAR(10))),
                         ("ADJUSTMENT", -5, at(MAR(12))), ("RECEIPT", 10, at(MAR(12), 23, 59)))
    ])  # fmt: skip


WINDOW = [MAR(d) for d in range(9, 16)]
BACKFILLED = (
    "fact_sales_order_line",
    "fact_machine_hourly",
    "fact_downtime_event",
    "fact_inventory_snapshot_daily",
)


def test_a_seven_day_backfill_equals_seven_single_days(defs, plant):
    _put_operations(plant)
    for name in ("dim_production_line", "dim_machine", "dim_material", "dim_warehouse"):
        merge(defs, name)
    orders = {"fact_sales_order_line": "sales_order_line_id"}
    keys = {
        "fact_machine_hourly": "date, machine_id, hour_of_day",
        "fact_downtime_event": "fault_id",
        "fact_inventory_snapshot_daily": "date, material_id, warehouse_id",
        **orders,
    }
    ranged = {}
    for table in BACKFILLED:
        result = support.run(defs, table, start=WINDOW[0], end=WINDOW[-1])
        assert result.success, table
        assert len(result.asset_materializations_for_node(f"analytics__{table}")) == 7
        ranged[table] = support.rows(plant, table, keys[table])
    support.reset(plant, BACKFILLED)
    for table in BACKFILLED:
        load(defs, table, *WINDOW)
        assert support.rows(plant, table, keys[table]).equals(ranged[table]), table

    # The stock is the end-of-day level of each day, whatever the window.
    stock = ranged["fact_inventory_snapshot_daily"]
    assert support.records(stock, ("date", "quantity_on_hand")) == [
        (MAR(9), 100), (MAR(10), 70), (MAR(11), 70), (MAR(12), 75), (MAR(13), 75),
        (MAR(14), 75), (MAR(15), 75),
    ]  # fmt: skip
    assert stock["inventory_value"].tolist()[0] == 200  # 100 kg x master standard cost 2


def test_machine_hours_apportion_runs_downtime_and_readings(defs, plant):
    _put_operations(plant)
    for name in ("dim_production_line", "dim_machine"):
        merge(defs, name)
    load(defs, "fact_machine_hourly", MAR(9), MAR(10), MAR(11))
    hours = support.rows(plant, "fact_machine_hourly", "date, hour_of_day").set_index(
        ["date", "hour_of_day"]
    )
    # The 8-hour run is spread evenly over its 8 clock hours: 1/8 of every measure each.
    share = 1 / 8
    run_hours = [(MAR(9), 22), (MAR(9), 23), *((MAR(10), h) for h in range(6))]
    for hour in run_hours:
        row = hours.loc[hour]
        assert float(row["planned_minutes"]) == pytest.approx(480 * share)
        assert float(row["run_minutes"]) == pytest.approx(450 * share)
        assert float(row["units_produced"]) == pytest.approx(800 * share)
        assert float(row["units_good"]) == pytest.approx(780 * share)
        assert float(row["ideal_run_minutes"]) == pytest.approx(30 * 800 * share / 60)
    assert float(hours["units_produced"].astype(float).sum()) == pytest.approx(800)
    # Downtime 23:30-00:30 falls half into each day's hour.
    assert float(hours.loc[(MAR(10), 23), "unplanned_downtime_minutes"]) == 30
    assert float(hours.loc[(MAR(11), 0), "unplanned_downtime_minutes"]) == 30
    readings = hours.loc[(MAR(9), 22)]
    assert (readings["reading_count"], readings["out_of_limit_readings"]) == (2, 1)
    assert (readings["avg_temperature"], readings["max_temperature"]) == (70, 80)
    line = key_of(plant, "dim_production_line", "line_id", 50)
    assert set(hours["production_line_key"]) == {line}


def test_the_foreign_key_check_fails_when_a_member_disappears(defs, plant):
    load(defs, "fact_sales_order_line", MAR(9))
    assert support.check(defs, "fact_sales_order_line", "foreign_keys_resolve").passed
    gone = key_of(plant, "dim_product", "product_id", 20)
    with mysql.connect(plant.target("analytics")) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM dim_product WHERE product_key = %s", (gone,))
    result = support.check(defs, "fact_sales_order_line", "foreign_keys_resolve")
    assert not result.passed
    named = result.metadata["offending_rows_json"].value
    assert [(r["sales_order_line_id"], r["product_key"], r["dimension"]) for r in named] == [
        (12, gone, "dim_product")
    ]


def test_sales_lines_reconcile_with_the_reporting_table_of_the_day(defs, plant):
    assert support.run(defs, "sales_by_product", day=MAR(10), target="reporting").success
    (result,) = load(defs, "fact_sales_order_line", MAR(10))
    outcomes = harness.check_results(result)
    assert outcomes["reconcile_reporting_revenue"].passed
    assert outcomes["reconcile_reporting_units"].passed

    # Reporting has not caught up with a cancellation yet: a warning, not a blocked load.
    support.change(plant, "erp", "sales_orders", {"sales_order_id": 2}, {"status": "CANCELLED"})
    (result,) = load(defs, "fact_sales_order_line", MAR(10))
    outcomes = harness.check_results(result)
    assert outcomes["reconcile_revenue"].passed
    behind = outcomes["reconcile_reporting_revenue"]
    assert not behind.passed and behind.severity.value == "WARN"
