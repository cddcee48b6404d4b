"""The twelve facts of the star schema: what happened, measured, on a business day.

Every fact is daily-partitioned on its business day (backfills of any range run as one run)
and carries the surrogate keys of its dimensions, resolved by `ResolveKeys` at load time:
SCD2 dimensions (customer, product, supplier, employee) give the version valid on the fact's
business date, so "revenue by segment as it was then" is a plain star join. Natural ids stay on
the fact as degenerate columns for lineage. A member missing from its dimension gets the
unknown member (key 0) and is re-pointed by a later run once it arrives (late-arriving
members, see docs/analytics.md).

Accumulating facts (work orders, maintenance, shipments, tickets) are dated by the event that
completes them, so their measures are final when loaded; the nightly run restates the last
days (like the reporting tables) so that late edits and cancellations reach history too.
Every fact reconciles with its source (blocking) and, where the reporting database has the
same day's total, with the reporting table (a warning: the two are refreshed on their own
schedules).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from genims_platform.lib.dimensional import DimLookup, ResolveKeys
from genims_platform.lib.tables import Extract, Range, Reconcile, TableSpec, Window

TARGET = "analytics"


def day_key(key: str = "date_key", column: str = "date") -> DimLookup:
    """A (role-playing) date key: `column` of the fact -> dim_date."""
    return DimLookup(key, "dim_date", ((column, "date"),), dimension_key="date_key")


def scd2(key: str, dimension: str, natural: str, at: str = "date") -> DimLookup:
    """A history-aware key: the version of the member valid on the fact's `at` day."""
    target = dimension.removeprefix("dim_") + "_id"
    return DimLookup(key, dimension, ((natural, target),), at=at)


def employee(role: str, at: str = "date") -> DimLookup:
    """The employee playing `role` (technician, buyer, ...), version valid on `at`."""
    return DimLookup(
        f"{role}_employee_key",
        "dim_employee",
        ((f"{role}_employee_id", "employee_id"),),
        at=at,
        dimension_key="employee_key",
    )


FACTORY = DimLookup("factory_key", "dim_factory", (("factory_id", "factory_id"),))
LINE = DimLookup("production_line_key", "dim_production_line", (("line_id", "line_id"),))
MACHINE = DimLookup("machine_key", "dim_machine", (("machine_id", "machine_id"),))
MATERIAL = DimLookup("material_key", "dim_material", (("material_id", "material_id"),))
WAREHOUSE = DimLookup("warehouse_key", "dim_warehouse", (("warehouse_id", "warehouse_id"),))
GL_ACCOUNT = DimLookup("gl_account_key", "dim_gl_account", (("account_id", "account_id"),))

MACHINE_HIERARCHY = Extract(
    "master", "machine_hierarchy.sql", reads=("machines",), on=("machine_id",), windowed=False
)

REPORTING_LAGS = (
    "Reconciliations with genims_reporting_db are warnings: the reporting table is refreshed "
    "on its own schedule, so a disagreement means one of the two has not caught up yet."
)


def fill_zero(*columns: str) -> Callable[[pd.DataFrame, Window | None], pd.DataFrame]:
    """A secondary source that has nothing for a row means zero (e.g. no repair orders)."""

    def derive(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
        out = frame.copy()
        for column in columns:
            out[column] = pd.to_numeric(out[column]).fillna(0)
        return out

    return derive


def _pick_to_ship(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Hours from the last pick of the sales order (wms) to the shipment (tms)."""
    out = frame.copy()
    shipped = pd.to_datetime(out["shipped_at"], utc=True)
    picked = pd.to_datetime(out["last_picked_at"], utc=True)
    out["pick_to_ship_hours"] = (shipped - picked).dt.total_seconds() / 3600.0
    return out.drop(columns=["last_picked_at"])


def _inventory_value(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Value the stock at the erp standard cost valid that day, else the master-data cost."""
    out = frame.copy()
    cost = pd.to_numeric(out["standard_unit_cost"]).fillna(
        pd.to_numeric(out["master_standard_cost"])
    )
    out["standard_unit_cost"] = cost
    out["inventory_value"] = pd.to_numeric(out["quantity_on_hand"]) * cost
    return out.drop(columns=["master_standard_cost"])


def fact(
    name: str,
    description: str,
    extracts: tuple[Extract, ...],
    lookups: tuple[DimLookup, ...],
    *,
    reconcile: tuple[Reconcile, ...],
    ranges: tuple[Range, ...] = (),
    derive: Callable[[pd.DataFrame, Window | None], pd.DataFrame] | None = None,
    partitioning: str = "daily",
    date_column: str = "date",
    category: str = "facts",
) -> TableSpec:
    """A fact (or an aggregate built like one): partitioned, keys resolved, FK-checked, and
    materialised after the dimensions it points at."""
    write = ResolveKeys(lookups)
    return TableSpec(
        target=TARGET,
        name=name,
        category=category,
        description=description,
        extracts=extracts,
        partitioning=partitioning,  # type: ignore[arg-type]
        date_column=date_column,
        derive=derive,
        ranges=ranges,
        reconcile=reconcile,
        extra_deps=write.dependencies(TARGET),
        write=write,
        checks=write.checks(),
    )


def checked(name: str, source: str, table: str, expression: str, **kw) -> Reconcile:
    """A reconciliation whose query is `sql/analytics/checks/<table>.<name>.sql`."""
    return Reconcile(name, source, f"{table}.{name}.sql", expression, **kw)


def against_reporting(name: str, table: str, expression: str, **kw) -> Reconcile:
    return checked(name, "reporting", table, expression, blocking=False, **kw)


TABLES: list[TableSpec] = [
    fact(
        "fact_sales_order_line",
        "Every sales order line on its order day: units, price, discount, net amount and "
        "standard-cost margin, with the customer, product and sales-rep versions valid on "
        "that day. Cancelled orders keep their lines with `is_cancelled` = 1 and are never "
        "revenue: revenue = sum(line_amount) where is_cancelled = 0.\n\n"
        "* gross_amount = quantity x unit_price; discount_ratio = discount_pct / 100\n"
        "* cost_amount = quantity x PRODUCT standard cost valid on the order day; "
        "margin_amount = line_amount - cost_amount (NULL without a standard cost)\n\n"
        f"{REPORTING_LAGS}",
        (
            Extract(
                "erp",
                "fact_sales_order_line.sql",
                reads=("sales_orders", "sales_order_lines", "standard_costs"),
            ),
            Extract(
                "crm",
                "fact_sales_order_line.reps.sql",
                reads=("sales_reps",),
                on=("sales_rep_id",),
                windowed=False,
            ),
        ),
        (
            day_key(),
            scd2("customer_key", "dim_customer", "customer_id"),
            scd2("product_key", "dim_product", "product_id"),
            FACTORY,
            employee("sales_rep"),
        ),
        reconcile=(
            checked(
                "revenue",
                "erp",
                "fact_sales_order_line",
                "SUM(CASE WHEN is_cancelled = 0 THEN line_amount ELSE 0 END)",
            ),
            checked("lines", "erp", "fact_sales_order_line", "COUNT(*)", tolerance=0),
            against_reporting(
                "reporting_revenue",
                "fact_sales_order_line",
                "SUM(CASE WHEN is_cancelled = 0 THEN line_amount ELSE 0 END)",
            ),
            against_reporting(
                "reporting_units",
                "fact_sales_order_line",
                "SUM(CASE WHEN is_cancelled = 0 THEN quantity ELSE 0 END)",
                tolerance=0.001,
            ),
        ),
        ranges=(
            Range("quantity", 0),
            Range("unit_price", 0),
            Range("discount_ratio", 0, 1),
            Range("line_amount", 0),
        ),
    ),
    fact(
        "fact_production_output",
        "Every completed work order on the day it was completed: planned, completed and "
        "scrapped quantities, lead time, schedule adherence and actual cost, with the product "
        "version valid that day.\n\n"
        "* production_hours = actual_end - actual_start; delay_hours = actual_end - "
        "planned_end (negative = early); is_on_time = actual_end <= planned_end\n"
        "* labor_* and material_cost / scrap_cost: everything booked on the work order "
        "(manufacturing.labor_transactions, material_consumption)",
        (
            Extract(
                "manufacturing",
                "fact_production_output.sql",
                reads=("work_orders", "labor_transactions", "material_consumption"),
            ),
        ),
        (
            day_key(),
            day_key("start_date_key", "start_date"),
            scd2("product_key", "dim_product", "product_id"),
            LINE,
            FACTORY,
        ),
        reconcile=(
            checked(
                "quantity_completed",
                "manufacturing",
                "fact_production_output",
                "SUM(quantity_completed)",
                tolerance=0,
            ),
        ),
        ranges=(
            Range("quantity_planned", 0),
            Range("quantity_completed", 0),
            Range("quantity_scrap", 0),
            Range("production_hours", 0),
            Range("labor_cost", 0),
            Range("material_cost", 0),
        ),
    ),
    fact(
        "fact_machine_hourly",
        "Each machine's clock hours (UTC) with production, downtime or sensor readings: "
        "production runs and DOWN / PLANNED_DOWNTIME intervals are apportioned to the hours "
        "they overlap (by share of wall-clock time), sensor readings are averaged per "
        "measurement. Hourly OEE inputs: availability = run_minutes / planned_minutes, "
        "performance = ideal_run_minutes / run_minutes, quality = units_good / "
        "units_produced. Line and factory come from master.machines.",
        (
            Extract(
                "operations",
                "fact_machine_hourly.sql",
                reads=(
                    "production_run_logs",
                    "equipment_status_changes",
                    "sensor_readings",
                    "scada_points",
                ),
            ),
            MACHINE_HIERARCHY,
        ),
        (day_key(), MACHINE, LINE, FACTORY),
        reconcile=(
            checked(
                "units_produced",
                "operations",
                "fact_machine_hourly",
                "SUM(units_produced)",
                tolerance=0.5,
                relative_tolerance=1e-6,
            ),
            checked(
                "readings", "operations", "fact_machine_hourly", "SUM(reading_count)", tolerance=0
            ),
        ),
        ranges=(
            Range("hour_of_day", 0, 23),
            Range("planned_minutes", 0, 60.001),
            Range("run_minutes", 0, 60.001),
            Range("units_produced", 0),
            Range("unplanned_downtime_minutes", 0, 60.001),
            Range("planned_downtime_minutes", 0, 60.001),
            Range("reading_count", 0),
        ),
    ),
    fact(
        "fact_downtime_event",
        "Every machine fault on the day it started: code, category, severity, duration "
        "(fault_end - fault_start; NULL while open) and the maintenance work orders raised "
        "for it with their cost (maintenance.maintenance_work_orders). Line and factory come "
        f"from master.machines.\n\n{REPORTING_LAGS}",
        (
            Extract("operations", "fact_downtime_event.sql", reads=("machine_faults",)),
            MACHINE_HIERARCHY,
            Extract(
                "maintenance",
                "fact_downtime_event.repairs.sql",
                reads=("maintenance_work_orders",),
                on=("fault_id",),
                windowed=False,
            ),
        ),
        (day_key(), day_key("end_date_key", "end_date"), MACHINE, LINE, FACTORY),
        reconcile=(
            checked("faults", "operations", "fact_downtime_event", "COUNT(*)", tolerance=0),
            against_reporting("reporting_faults", "fact_downtime_event", "COUNT(*)", tolerance=0),
        ),
        ranges=(
            Range("duration_minutes", 0),
            Range("maintenance_orders", 0),
            Range("repair_cost", 0),
        ),
        derive=fill_zero("maintenance_orders", "repair_cost"),
    ),
    fact(
        "fact_quality_inspection",
        "Every quality inspection on its day: incoming (material, supplier, goods receipt), "
        "in-process and final (line, product, work order); units inspected, passed and failed, "
        "rework cost and the defects found by severity. Product, supplier and inspector are "
        "the versions valid that day; 0 where not applicable.\n\n"
        "* failure rate of a slice = sum(units_failed) / sum(units_inspected)\n\n"
        f"{REPORTING_LAGS} The reporting table counts in-process and final inspections of a "
        "product only.",
        (Extract("quality", "fact_quality_inspection.sql", reads=("inspections", "defects")),),
        (
            day_key(),
            FACTORY,
            LINE,
            scd2("product_key", "dim_product", "product_id"),
            MATERIAL,
            scd2("supplier_key", "dim_supplier", "supplier_id"),
            employee("inspector"),
        ),
        reconcile=(
            checked(
                "units_inspected",
                "quality",
                "fact_quality_inspection",
                "SUM(units_inspected)",
                tolerance=0,
            ),
            against_reporting(
                "reporting_units_inspected",
                "fact_quality_inspection",
                "SUM(CASE WHEN inspection_type IN ('IN_PROCESS', 'FINAL') "
                "AND product_id IS NOT NULL THEN units_inspected ELSE 0 END)",
                tolerance=0,
            ),
        ),
        ranges=(
            Range("units_inspected", 0),
            Range("units_failed", 0),
            Range("rework_cost", 0),
            Range("defect_quantity", 0),
        ),
    ),
    fact(
        "fact_maintenance_work_order",
        "Every completed maintenance work order on the day it was completed: type, priority, "
        "the fault it repaired, response time (started - reported), repair time (completed - "
        "started), labour and parts cost and the downtime booked in its history, with the "
        "technician version valid that day. MTTR of a slice = avg(repair_hours).",
        (
            Extract(
                "maintenance",
                "fact_maintenance_work_order.sql",
                reads=("maintenance_work_orders", "maintenance_history"),
            ),
            MACHINE_HIERARCHY,
        ),
        (
            day_key(),
            day_key("reported_date_key", "reported_date"),
            MACHINE,
            LINE,
            FACTORY,
            employee("technician"),
        ),
        reconcile=(
            checked("total_cost", "maintenance", "fact_maintenance_work_order", "SUM(total_cost)"),
        ),
        ranges=(
            Range("response_hours", 0),
            Range("repair_hours", 0),
            Range("labor_cost", 0),
            Range("parts_cost", 0),
            Range("downtime_minutes", 0),
        ),
    ),
    fact(
        "fact_shipment",
        "Every delivered shipment on its delivery day: carrier, route, transit time, lateness "
        "against the planned delivery day, on-time flag and condition (tms.deliveries), "
        "freight cost and weight, tracking activity, and the hours from the last pick of the "
        "sales order to shipping (wms.pick_tasks). The customer is the version valid on the "
        "ship day.\n\n"
        "* transit_days = delivered_at - shipped_at; days_late = delivery day - planned day\n"
        "* on-time rate of a slice = avg(is_on_time)",
        (
            Extract(
                "tms",
                "fact_shipment.sql",
                reads=("shipments", "carriers", "routes", "deliveries", "tracking_events"),
            ),
            Extract(
                "wms",
                "fact_shipment.picks.sql",
                reads=("pick_tasks",),
                on=("sales_order_id",),
                windowed=False,
            ),
        ),
        (
            day_key(),
            day_key("ship_date_key", "ship_date"),
            scd2("customer_key", "dim_customer", "customer_id", at="ship_date"),
            WAREHOUSE,
        ),
        reconcile=(
            checked("deliveries", "tms", "fact_shipment", "COUNT(*)", tolerance=0),
            checked("freight_cost", "tms", "fact_shipment", "SUM(freight_cost)"),
        ),
        ranges=(
            Range("transit_days", 0),
            Range("freight_cost", 0),
            Range("weight_kg", 0),
            Range("tracking_events", 0),
        ),
        derive=_pick_to_ship,
    ),
    fact(
        "fact_purchase_order_line",
        "Every purchase order line on its order day: material, quantity, price and amount "
        "against the MATERIAL standard cost valid that day, with the supplier and buyer "
        "versions valid that day.\n\n"
        "* standard_amount = quantity x standard cost; price_variance_amount = line_amount - "
        f"standard_amount (positive = paid above standard)\n\n{REPORTING_LAGS}",
        (
            Extract(
                "erp",
                "fact_purchase_order_line.sql",
                reads=("purchase_orders", "purchase_order_lines", "standard_costs"),
            ),
        ),
        (
            day_key(),
            day_key("due_date_key", "due_date"),
            scd2("supplier_key", "dim_supplier", "supplier_id"),
            MATERIAL,
            FACTORY,
            employee("buyer"),
        ),
        reconcile=(
            checked("line_amount", "erp", "fact_purchase_order_line", "SUM(line_amount)"),
            against_reporting(
                "reporting_quantity",
                "fact_purchase_order_line",
                "SUM(quantity)",
                tolerance=0.001,
            ),
        ),
        ranges=(Range("quantity", 0), Range("unit_price", 0), Range("line_amount", 0)),
    ),
    fact(
        "fact_inventory_snapshot_daily",
        "A periodic snapshot: the stock of every material in every warehouse at the end of "
        "each day (all signed movements of wms.inventory_transactions before the next "
        "midnight, UTC), the day's receipts, issues and adjustments, and the value at the "
        "MATERIAL standard cost valid that day (erp.standard_costs; the master-data cost when "
        "erp has none). Rows exist for items with stock or with movements that day. Stock is "
        f"semi-additive: sum it across items, never across days.\n\n{REPORTING_LAGS}",
        (
            Extract("wms", "fact_inventory_snapshot_daily.sql", reads=("inventory_transactions",)),
            Extract(
                "erp",
                "fact_inventory_snapshot_daily.standard_costs.sql",
                reads=("standard_costs",),
                on=("date", "material_id"),
            ),
            Extract(
                "master",
                "fact_inventory_snapshot_daily.materials.sql",
                reads=("materials",),
                on=("material_id",),
                windowed=False,
            ),
        ),
        (day_key(), MATERIAL, WAREHOUSE),
        reconcile=(
            checked(
                "stock_days",
                "wms",
                "fact_inventory_snapshot_daily",
                "SUM(quantity_on_hand)",
                tolerance=0.01,
                relative_tolerance=1e-9,
            ),
            against_reporting(
                "reporting_stock",
                "fact_inventory_snapshot_daily",
                "SUM(quantity_on_hand)",
                tolerance=0.01,
                relative_tolerance=1e-9,
            ),
        ),
        ranges=(Range("quantity_received", 0), Range("quantity_issued", 0)),
        derive=_inventory_value,
    ),
    fact(
        "fact_gl_journal_line",
        "Every general-ledger journal line on its posting day: account, cost centre, factory, "
        "debit, credit and net amount (debit - credit). Reversals are entries of their own "
        "(is_reversal = 1), so both sides of a corrected mistake are history. The fiscal "
        "period is on dim_date.\n\n"
        "* P&L revenue of a slice = sum(credit - debit) over accounts with subtype REVENUE\n\n"
        f"{REPORTING_LAGS}",
        (
            Extract(
                "financial",
                "fact_gl_journal_line.sql",
                reads=("journal_entries", "journal_entry_lines"),
            ),
        ),
        (day_key(), GL_ACCOUNT, FACTORY),
        reconcile=(
            checked("debit", "financial", "fact_gl_journal_line", "SUM(debit)"),
            against_reporting(
                "reporting_revenue",
                "fact_gl_journal_line",
                "SUM(CASE WHEN gl_account_key IN (SELECT gl_account_key FROM dim_gl_account "
                "WHERE account_subtype = 'REVENUE' AND account_type IN ('REVENUE', 'EXPENSE')) "
                "THEN credit - debit ELSE 0 END)",
            ),
        ),
        ranges=(Range("debit", 0), Range("credit", 0)),
    ),
    fact(
        "fact_service_ticket",
        "Every resolved service ticket on its resolution day: channel, priority, category, "
        "response and resolution times against their SLA targets, satisfaction, and the field "
        "visits made for it. Customer and product are the versions valid on the opening day, "
        "the assignee the version valid on the resolution day.\n\n"
        "* response_minutes = first_response_at - opened_at; resolution_minutes = "
        "resolved_at - opened_at\n"
        "* SLA attainment of a slice = avg(resolution_sla_met)",
        (
            Extract(
                "service",
                "fact_service_ticket.sql",
                reads=("service_tickets", "field_service_visits"),
            ),
        ),
        (
            day_key(),
            day_key("opened_date_key", "opened_date"),
            scd2("customer_key", "dim_customer", "customer_id", at="opened_date"),
            scd2("product_key", "dim_product", "product_id", at="opened_date"),
            employee("assigned"),
        ),
        reconcile=(checked("tickets", "service", "fact_service_ticket", "COUNT(*)", tolerance=0),),
        ranges=(
            Range("response_minutes", 0),
            Range("resolution_minutes", 0),
            Range("satisfaction_score", 1, 5),
            Range("field_visits", 0),
        ),
    ),
    fact(
        "fact_labor_timesheet",
        "Every timesheet: the regular and overtime hours an employee worked on a day, with the "
        "employee version valid that day (department, job title, hourly rate as they were) and "
        "the factory of the shift (else of the employee). Labour cost of a slice = "
        "sum(total_hours x dim_employee.hourly_rate).",
        (
            Extract(
                "hr",
                "fact_labor_timesheet.sql",
                reads=("timesheets", "shifts", "employees"),
            ),
        ),
        (day_key(), scd2("employee_key", "dim_employee", "employee_id"), FACTORY),
        reconcile=(checked("hours", "hr", "fact_labor_timesheet", "SUM(total_hours)"),),
        ranges=(
            Range("hours_regular", 0, 24),
            Range("hours_overtime", 0, 24),
            Range("total_hours", 0, 48),
        ),
    ),
]
