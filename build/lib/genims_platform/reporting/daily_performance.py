"""Daily performance: OEE and its factors per machine, line and factory."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from genims_platform.lib.tables import Extract, Range, Reconcile, TableSpec, Window

FRACTIONS = (
    "availability_ratio",
    "performance_ratio",
    "quality_ratio",
    "oee_overall",
    "scrap_rate",
)

UNITS_PRODUCED = ("operations", "units_produced.sql")


def absent_is_zero(*columns: str) -> Callable[[pd.DataFrame, Window], pd.DataFrame]:
    """A `derive` for tables whose extracts are outer-joined: a measure missing on one side (a
    line that ran but booked no labour, a factory that shipped but did not run) is a zero of
    that day, not an unknown. Ratios are left as they are (NULL without a denominator)."""

    def derive(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
        return frame.fillna(dict.fromkeys(columns, 0))

    return derive


def _factory_day(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    # Shipping nothing costs nothing; a NULL cost that remains means a shipped product had no
    # valid standard cost, and must stay unknown.
    frame = frame.assign(
        cost_of_goods=frame["cost_of_goods"].where(frame["orders_shipped"].notna(), 0.0)
    )
    return absent_is_zero(
        "planned_production_minutes",
        "total_runtime_minutes",
        "total_units_produced",
        "units_good",
        "orders_shipped",
        "total_revenue",
    )(frame, window)


TABLES = [
    TableSpec(
        target="reporting",
        name="machine_performance_daily",
        category="daily_performance",
        description=(
            "Overall equipment effectiveness of each machine per production day (UTC day of "
            "the run start).\n\n"
            "* availability = run time / planned production time\n"
            "* performance = sum(ideal cycle time x units produced) / run time\n"
            "* quality = good units / units produced\n"
            "* **OEE = availability x performance x quality** (fractions in [0, 1])\n"
            "* downtime_minutes = minutes in DOWN state within the day; fault_count = faults "
            "started that day; scrap_rate = rejected / produced."
        ),
        extracts=(
            Extract(
                "operations",
                "machine_performance_daily.sql",
                reads=("production_run_logs", "equipment_status_changes", "machine_faults"),
            ),
        ),
        ranges=(
            *(Range(c, 0, 1) for c in FRACTIONS),
            Range("downtime_minutes", 0, 1440),
            Range("units_produced", 0),
            Range("units_good", 0),
            Range("units_rejected", 0),
        ),
        reconcile=(
            Reconcile(
                "units_produced", "operations", "units_produced.sql", "SUM(units_produced)", 0
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="line_performance_daily",
        category="daily_performance",
        description=(
            "How well each production line used its planned time per day: the runs of all the "
            "line's machines (UTC day of the run start), plus the labour booked on the line "
            "that work day. A line that booked labour but did not run still has a row.\n\n"
            "* **line_utilization_ratio** = sum(run minutes) / sum(planned minutes)\n"
            "* **throughput** = units produced; **throughput_units_per_hour** = good units / "
            "(run minutes / 60)\n"
            "* **oee_daily** = sum(ideal cycle time s x good units) / 60 / sum(planned minutes) "
            "(fully productive time over planned time, a fraction)\n"
            "* **defect_count** = units rejected\n"
            "* **labor_hours** = sum of hours in manufacturing.labor_transactions with that "
            "work_date and line_id\n\n"
            "Ratios are NULL when their denominator is zero."
        ),
        extracts=(
            Extract(
                "operations",
                "line_performance_daily.sql",
                reads=("production_run_logs",),
            ),
            Extract(
                "manufacturing",
                "line_performance_daily.labor.sql",
                reads=("labor_transactions",),
                on=("date", "production_line_id"),
                how="outer",
            ),
            Extract(
                "master",
                "line_performance_daily.lines.sql",
                reads=("production_lines",),
                on=("production_line_id",),
                windowed=False,
            ),
        ),
        derive=absent_is_zero(
            "planned_production_minutes",
            "total_runtime_minutes",
            "throughput",
            "units_good",
            "defect_count",
            "labor_hours",
        ),
        ranges=(
            Range("line_utilization_ratio", 0, 1),
            Range("oee_daily", 0, 1),
            Range("planned_production_minutes", 0),
            Range("total_runtime_minutes", 0),
            Range("throughput", 0),
            Range("units_good", 0),
            Range("throughput_units_per_hour", 0),
            Range("defect_count", 0),
            Range("labor_hours", 0),
        ),
        reconcile=(
            Reconcile("units_produced", *UNITS_PRODUCED, "SUM(throughput)", 0),
            Reconcile(
                "labor_hours",
                "manufacturing",
                "line_performance_daily_labor_hours.sql",
                "SUM(labor_hours)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="factory_performance_daily",
        category="daily_performance",
        description=(
            "Each factory's day: how much of the planned machine time it ran and what it made "
            "(UTC day of the run start), and what it shipped to customers that day (ship date "
            "of its non-cancelled sales orders). A factory that only ran, or only shipped, "
            "still has a row.\n\n"
            "* **factory_utilization_ratio** = sum(run minutes) / sum(planned minutes) of all "
            "its machines (NULL without planned time)\n"
            "* **total_units_produced** = units produced\n"
            "* **total_revenue** = sum(erp sales_order_lines.line_amount) of the orders "
            "shipped that day\n"
            "* **cost_of_goods** = sum(shipped quantity x PRODUCT standard unit_cost valid on "
            "the ship date); NULL when any shipped product has no valid standard cost."
        ),
        extracts=(
            Extract(
                "operations",
                "factory_performance_daily.sql",
                reads=("production_run_logs",),
            ),
            Extract(
                "erp",
                "factory_performance_daily.sales.sql",
                reads=("sales_orders", "sales_order_lines", "standard_costs"),
                on=("date", "factory_id"),
                how="outer",
            ),
        ),
        derive=_factory_day,
        ranges=(
            Range("factory_utilization_ratio", 0, 1),
            Range("planned_production_minutes", 0),
            Range("total_runtime_minutes", 0),
            Range("total_units_produced", 0),
            Range("units_good", 0),
            Range("orders_shipped", 0),
            Range("total_revenue", 0),
            Range("cost_of_goods", 0),
        ),
        reconcile=(
            Reconcile("units_produced", *UNITS_PRODUCED, "SUM(total_units_produced)", 0),
            Reconcile(
                "revenue", "erp", "factory_performance_daily_revenue.sql", "SUM(total_revenue)"
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="oee_daily_summary",
        category="daily_performance",
        description=(
            "The OEE of each machine per production day (UTC day of the run start) and how it "
            "moved since the day before.\n\n"
            "* availability = run time / planned production time\n"
            "* performance = sum(ideal cycle time x units produced) / run time\n"
            "* quality = good units / units produced\n"
            "* **oee_calculated = availability x performance x quality** (fractions, as in "
            "machine_performance_daily)\n"
            "* **trend_vs_yesterday = oee_calculated - oee_previous_day**, in fraction points "
            "(0.05 = five points better); NULL when the machine did not run the day before. "
            "The previous day is always read explicitly, so a single-day run has its trend."
        ),
        extracts=(
            Extract(
                "operations",
                "oee_daily_summary.sql",
                reads=("production_run_logs",),
            ),
        ),
        ranges=(
            *(Range(c, 0, 1) for c in ("availability", "performance", "quality", "oee_calculated")),
            Range("oee_previous_day", 0, 1),
            Range("trend_vs_yesterday", -1, 1),
        ),
        reconcile=(
            Reconcile(
                "machine_days", "operations", "oee_daily_summary_machine_days.sql", "COUNT(*)", 0
            ),
        ),
    ),
]
