"""Production: plan vs actual, work orders, materials, schedules, quality and downtime."""

from __future__ import annotations

import pandas as pd

from genims_platform.lib.tables import Extract, Range, Reconcile, TableSpec, Window

LINE_DAY = ["date", "line_id", "factory_id"]


def _per_line(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Apply each product's overhead rate to its output, then sum the products of a line-day.

    The overhead of a line-day is unknown (NULL) as soon as one product with output lacks a
    standard cost; a product without output needs no rate."""
    output = frame["actual_quantity"]
    overhead = (output * frame["overhead_unit_cost"].astype("float64")).where(output != 0, 0.0)
    lines = (
        frame.assign(overhead_cost=overhead)
        .groupby(LINE_DAY, as_index=False)
        .agg(
            planned_quantity=("planned_quantity", "sum"),
            actual_quantity=("actual_quantity", "sum"),
            labor_hours=("labor_hours", "sum"),
            material_cost=("material_cost", "sum"),
            overhead_cost=("overhead_cost", lambda s: s.sum(skipna=False)),
        )
    )
    planned = lines["planned_quantity"].where(lines["planned_quantity"] != 0)
    return lines.assign(variance_ratio=(lines["actual_quantity"] - planned) / planned)


TABLES = [
    TableSpec(
        target="reporting",
        name="production_summary_daily",
        category="production",
        description=(
            "Plan versus actual per production line and day, with what the day cost.\n\n"
            "* **planned_quantity** = sum(quantity_planned) and **actual_quantity** = "
            "sum(quantity_completed) of the work orders whose planned start falls on that UTC "
            "day (cancelled orders excluded: they are no longer a plan)\n"
            "* **variance_ratio** = (actual - planned) / planned, a signed fraction (-0.1 = 10 % "
            "short); NULL when nothing was planned that day\n"
            "* **labor_hours** = hours of labour transactions with that work_date on the "
            "line's work orders\n"
            "* **material_cost** = sum(quantity x unit_cost) of the material consumed that UTC "
            "day on the line's work orders\n"
            "* **overhead_cost** = sum over products of actual quantity x erp PRODUCT standard "
            "overhead_cost valid that day; NULL when a product with output has no valid "
            "standard cost.\n\n"
            "A line-day with labour or material but no planned order still has a row."
        ),
        extracts=(
            Extract(
                "manufacturing",
                "production_summary_daily.sql",
                reads=("work_orders", "labor_transactions", "material_consumption"),
            ),
            Extract(
                "erp",
                "production_summary_daily.overhead.sql",
                reads=("standard_costs",),
                on=("date", "product_id"),
            ),
        ),
        derive=_per_line,
        ranges=(
            Range("planned_quantity", 0),
            Range("actual_quantity", 0),
            Range("variance_ratio", -1),
            Range("labor_hours", 0),
            Range("material_cost", 0),
            Range("overhead_cost", 0),
        ),
        reconcile=(
            Reconcile(
                "planned_quantity",
                "manufacturing",
                "production_summary_daily_planned.sql",
                "SUM(planned_quantity)",
                0,
            ),
            Reconcile(
                "labor_hours",
                "manufacturing",
                "production_summary_daily_labor_hours.sql",
                "SUM(labor_hours)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="work_order_summary",
        category="production",
        description=(
            "One row per work order, in the partition of the UTC day of its planned start: "
            "what was planned, made and scrapped, and what it has cost so far.\n\n"
            "* **date_started / date_completed** = UTC day of actual_start / actual_end\n"
            "* **labor_hours_actual** = all labour hours booked on the order\n"
            "* **cost_actual** = labour cost + material cost (quantity x unit_cost) + scrap at "
            "material cost (scrap_quantity x unit_cost), over all the bookings of the order\n"
            "* **sku** from master.products.\n\n"
            "Bookings made after the planned day reach the row when that day's partition is "
            "materialised again."
        ),
        extracts=(
            Extract(
                "manufacturing",
                "work_order_summary.sql",
                reads=("work_orders", "labor_transactions", "material_consumption"),
            ),
            Extract(
                "master",
                "work_order_summary.products.sql",
                reads=("products",),
                on=("product_id",),
                windowed=False,
            ),
        ),
        ranges=(
            Range("quantity_planned", 0),
            Range("quantity_completed", 0),
            Range("quantity_scrap", 0),
            Range("labor_hours_actual", 0),
            Range("labor_cost", 0),
            Range("material_cost", 0),
            Range("scrap_cost", 0),
            Range("cost_actual", 0),
        ),
        reconcile=(
            Reconcile(
                "quantity_planned",
                "manufacturing",
                "work_order_summary_quantity_planned.sql",
                "SUM(quantity_planned)",
                0,
            ),
            Reconcile(
                "labor_cost",
                "manufacturing",
                "work_order_summary_labor_cost.sql",
                "SUM(labor_cost)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="material_consumption_daily",
        category="production",
        description=(
            "Material consumed and scrapped per material, plant and UTC day of consumption.\n\n"
            "* **plant_location** = factory_code of the consuming factory (master.factories)\n"
            "* **cost_consumed** = sum(quantity x unit_cost); **scrap_cost** = "
            "sum(scrap_quantity x unit_cost)\n"
            "* **unit_cost** = cost_consumed / quantity_consumed (quantity-weighted average); "
            "NULL when only scrap was booked."
        ),
        extracts=(
            Extract(
                "manufacturing",
                "material_consumption_daily.sql",
                reads=("material_consumption",),
            ),
            Extract(
                "master",
                "material_consumption_daily.factories.sql",
                reads=("factories",),
                on=("factory_id",),
                windowed=False,
            ),
        ),
        ranges=(
            Range("quantity_consumed", 0),
            Range("cost_consumed", 0),
            Range("unit_cost", 0),
            Range("scrap_quantity", 0),
            Range("scrap_cost", 0),
        ),
        reconcile=(
            Reconcile(
                "quantity_consumed",
                "manufacturing",
                "material_consumption_daily_quantity.sql",
                "SUM(quantity_consumed)",
            ),
            Reconcile(
                "scrap_quantity",
                "manufacturing",
                "material_consumption_daily_scrap.sql",
                "SUM(scrap_quantity)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="production_schedule_performance",
        category="production",
        description=(
            "How well each line kept to its production schedule, per UTC day of the scheduled "
            "start. Cancelled schedules are only counted (schedules_cancelled).\n\n"
            "* **schedule_compliance_ratio** = schedules that actually started within 15 "
            "minutes of their scheduled start (early or late) / schedules not cancelled\n"
            "* **on_time_delivery_ratio** = completed schedules with actual_end <= "
            "scheduled_end / completed schedules (those with an actual end)\n"
            "* **delay_minutes_total** = sum(delay_minutes)\n"
            "* **root_causes** = the distinct delay reasons with delay, largest total delay "
            "first, comma-separated.\n\n"
            "Ratios are NULL when their denominator is zero."
        ),
        extracts=(
            Extract(
                "manufacturing",
                "production_schedule_performance.sql",
                reads=("production_schedules",),
            ),
        ),
        ranges=(
            Range("schedule_compliance_ratio", 0, 1),
            Range("on_time_delivery_ratio", 0, 1),
            Range("schedules_total", 0),
            Range("schedules_cancelled", 0),
            Range("schedules_started_on_time", 0),
            Range("schedules_completed", 0),
            Range("schedules_completed_on_time", 0),
            Range("delay_minutes_total", 0),
        ),
        reconcile=(
            Reconcile(
                "schedules",
                "manufacturing",
                "production_schedule_performance_schedules.sql",
                "SUM(schedules_total + schedules_cancelled)",
                0,
            ),
            Reconcile(
                "delay_minutes",
                "manufacturing",
                "production_schedule_performance_delay.sql",
                "SUM(delay_minutes_total)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="quality_summary_daily",
        category="production",
        description=(
            "Outgoing quality per factory, product and UTC day of inspection: in-process and "
            "final inspections of a known product (incoming inspections of purchased material "
            "are not product quality).\n\n"
            "* **defect_rate** = units_failed / units_inspected (NULL when nothing was "
            "inspected)\n"
            "* **critical_defects / major_defects / minor_defects** = sum of the quantities of "
            "the defects of that severity recorded on these inspections\n"
            "* **rework_cost** = sum of the inspections' rework cost."
        ),
        extracts=(
            Extract(
                "quality",
                "quality_summary_daily.sql",
                reads=("inspections", "defects"),
            ),
        ),
        ranges=(
            Range("defect_rate", 0, 1),
            Range("inspection_count", 0),
            Range("units_inspected", 0),
            Range("units_passed", 0),
            Range("units_failed", 0),
            Range("critical_defects", 0),
            Range("major_defects", 0),
            Range("minor_defects", 0),
            Range("rework_cost", 0),
        ),
        reconcile=(
            Reconcile(
                "units_inspected",
                "quality",
                "quality_summary_daily_units_inspected.sql",
                "SUM(units_inspected)",
                0,
            ),
            Reconcile(
                "defects",
                "quality",
                "quality_summary_daily_defects.sql",
                "SUM(critical_defects + major_defects + minor_defects)",
                0,
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="downtime_summary_daily",
        category="production",
        description=(
            "Why and how long each machine stood still per UTC day, and how reliable it was.\n\n"
            "* **unplanned_downtime** = minutes in DOWN state, **planned_downtime** = minutes "
            "in PLANNED_DOWNTIME state, each interval clipped to the day (an interval crossing "
            "midnight counts on both days; an open one runs until now); **downtime_minutes** = "
            "their sum\n"
            "* **primary_reason / secondary_reason** = the reason codes with the most and the "
            "second most downtime minutes that day (ties by code; no code = UNSPECIFIED)\n"
            "* **mtbf_hours** = run hours of the runs started that day / faults started that "
            "day (NULL without faults)\n"
            "* **mttr_hours** = average duration of the faults that ended that day (NULL "
            "without repairs).\n\n"
            "A machine has a row on a day with downtime, a fault starting or a fault ending."
        ),
        extracts=(
            Extract(
                "operations",
                "downtime_summary_daily.sql",
                reads=("equipment_status_changes", "machine_faults", "production_run_logs"),
            ),
            Extract(
                "master",
                "downtime_summary_daily.machines.sql",
                reads=("machines",),
                on=("machine_id",),
                windowed=False,
            ),
        ),
        ranges=(
            Range("downtime_minutes", 0, 1440),
            Range("planned_downtime", 0, 1440),
            Range("unplanned_downtime", 0, 1440),
            Range("run_hours", 0),
            Range("fault_count", 0),
            Range("faults_repaired", 0),
            Range("mtbf_hours", 0),
            Range("mttr_hours", 0),
        ),
        reconcile=(
            Reconcile(
                "faults", "operations", "downtime_summary_daily_faults.sql", "SUM(fault_count)", 0
            ),
            # Open intervals are measured up to now(), which moves on between the transform
            # and this check by the seconds the run takes.
            Reconcile(
                "downtime_minutes",
                "operations",
                "downtime_summary_daily_minutes.sql",
                "SUM(downtime_minutes)",
                1.0,
            ),
        ),
    ),
]
