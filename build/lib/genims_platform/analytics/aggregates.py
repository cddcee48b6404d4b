"""The two aggregates of the star schema, built from the facts (never from the sources), so
they always agree with what analysts get from the facts themselves."""

from __future__ import annotations

import pandas as pd

from genims_platform.analytics.facts import FACTORY, checked, fact, scd2
from genims_platform.lib.tables import Extract, Range, TableSpec, Window

KPI_KEYS = ("period_month", "factory_id")

# The extracts of the monthly KPIs: one per fact, joined per month and factory.
KPI_SOURCES = (
    ("faults", ("fact_downtime_event",)),
    ("output", ("fact_production_output",)),
    ("quality", ("fact_quality_inspection",)),
    ("maintenance", ("fact_maintenance_work_order",)),
    ("revenue", ("fact_sales_order_line",)),
    ("labor", ("fact_labor_timesheet",)),
)
COUNTS = (
    "planned_minutes",
    "run_minutes",
    "ideal_run_minutes",
    "units_produced",
    "units_good",
    "unplanned_downtime_minutes",
    "fault_count",
    "work_orders_completed",
    "quantity_completed",
    "quantity_scrap",
    "work_orders_on_time",
    "units_inspected",
    "units_failed",
    "maintenance_orders_completed",
    "maintenance_cost",
    "revenue",
    "labor_hours",
)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    denominator = pd.to_numeric(denominator)
    return pd.to_numeric(numerator) / denominator.where(denominator != 0)


def _factory_kpis(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """OEE and the other ratios of a factory-month; a fact without rows contributes zero."""
    out = frame.copy()
    for column in COUNTS:
        out[column] = pd.to_numeric(out[column]).fillna(0.0)
    out["availability"] = _ratio(out["run_minutes"], out["planned_minutes"])
    out["performance"] = _ratio(out["ideal_run_minutes"], out["run_minutes"])
    out["quality"] = _ratio(out["units_good"], out["units_produced"])
    out["oee"] = out["availability"] * out["performance"] * out["quality"]
    out["mtbf_hours"] = _ratio(out["run_minutes"] / 60.0, out["fault_count"])
    out["on_time_work_order_ratio"] = _ratio(
        out["work_orders_on_time"], out["work_orders_completed"]
    )
    out["inspection_failure_ratio"] = _ratio(out["units_failed"], out["units_inspected"])
    out["good_units_per_labor_hour"] = _ratio(out["units_good"], out["labor_hours"])
    return out.drop(columns=["ideal_run_minutes", "work_orders_on_time"])


TABLES: list[TableSpec] = [
    fact(
        "agg_monthly_factory_kpis",
        "Each factory's month at a glance, computed from the facts: OEE, downtime, faults, "
        "output, schedule adherence, quality, maintenance cost, revenue and labour "
        "productivity. The open month is month-to-date and refreshed nightly.\n\n"
        "* **availability = run_minutes / planned_minutes**, **performance = ideal run "
        "minutes (ideal cycle time x units) / run_minutes**, **quality = units_good / "
        "units_produced**, **oee = availability x performance x quality** "
        "(fact_machine_hourly)\n"
        "* fault_count = faults started in the month; **mttr_hours = mean duration of those "
        "cleared**; **mtbf_hours = run hours / fault_count** (fact_downtime_event)\n"
        "* work orders completed, quantities, **on_time_work_order_ratio = completed on time "
        "/ completed** (fact_production_output)\n"
        "* **inspection_failure_ratio = units_failed / units_inspected** "
        "(fact_quality_inspection)\n"
        "* maintenance_cost = labour + parts of the maintenance work orders completed "
        "(fact_maintenance_work_order)\n"
        "* revenue = net amount of non-cancelled order lines fulfilled by the factory "
        "(fact_sales_order_line)\n"
        "* **good_units_per_labor_hour = units_good / timesheet hours** "
        "(fact_labor_timesheet)\n\n"
        "Ratios are NULL when their denominator is 0.",
        (
            Extract(
                "analytics",
                "agg_monthly_factory_kpis.sql",
                reads=("fact_machine_hourly",),
            ),
            *(
                Extract(
                    "analytics",
                    f"agg_monthly_factory_kpis.{what}.sql",
                    reads=reads,
                    on=KPI_KEYS,
                    how="outer",
                )
                for what, reads in KPI_SOURCES
            ),
        ),
        (FACTORY,),
        partitioning="monthly",
        date_column="period_month",
        category="aggregates",
        derive=_factory_kpis,
        reconcile=(
            checked("revenue", "analytics", "agg_monthly_factory_kpis", "SUM(revenue)"),
            checked(
                "units_produced",
                "analytics",
                "agg_monthly_factory_kpis",
                "SUM(units_produced)",
                tolerance=0.01,
            ),
        ),
        ranges=(
            Range("availability", 0, 1),
            Range("performance", 0),
            Range("quality", 0, 1),
            Range("oee", 0),
            Range("mttr_hours", 0),
            Range("mtbf_hours", 0),
            Range("on_time_work_order_ratio", 0, 1),
            Range("inspection_failure_ratio", 0, 1),
            Range("revenue", 0),
            Range("maintenance_cost", 0),
        ),
    ),
    fact(
        "agg_customer_rfm",
        "A daily snapshot of every customer's recency, frequency and monetary value, for "
        "segmenting customers by behaviour: for each day, the customers with a non-cancelled "
        "order in the 365 days ending with it (fact_sales_order_line).\n\n"
        "* recency_days = snapshot day - day of the last order; frequency_orders = orders in "
        "the 365 days; monetary_amount = their net revenue\n"
        "* **each score = CEIL(5 x CUME_DIST())** among that day's customers (5 = most "
        "recent, most orders, most revenue; ties share a score)\n"
        "* rfm_segment: CHAMPIONS (R, F, M >= 4), AT_RISK (R <= 2, F >= 3), HIBERNATING "
        "(R <= 2), LOYAL (F >= 4), PROMISING (R >= 4), else NEEDS_ATTENTION\n\n"
        "A daily snapshot rather than a nightly rebuild: the history of scores is what shows "
        "customers moving between segments, and each day's snapshot depends only on the "
        "facts up to that day, so any range can be backfilled. The customer is the version "
        "valid on the snapshot day.",
        (Extract("analytics", "agg_customer_rfm.sql", reads=("fact_sales_order_line",)),),
        (scd2("customer_key", "dim_customer", "customer_id"),),
        category="aggregates",
        reconcile=(checked("monetary", "analytics", "agg_customer_rfm", "SUM(monetary_amount)"),),
        ranges=(
            Range("recency_days", 0, 365),
            Range("frequency_orders", 1),
            Range("monetary_amount", 0),
            Range("recency_score", 1, 5),
            Range("frequency_score", 1, 5),
            Range("monetary_score", 1, 5),
        ),
    ),
]
