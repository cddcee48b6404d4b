"""Sales and revenue: orders, products, customers, forecasts, reps and segments.

Conventions shared by every table here: a sales order belongs to its `order_date`; orders with
status CANCELLED never count as sales (only `sales_order_summary` keeps a row for them, with
their status); an order's revenue is its `total_amount`, a product's revenue the sum of its
`line_amount`s; margins use the PRODUCT standard cost of `erp.standard_costs` valid on the order
day (`valid_from <= day < valid_to`).
"""

from __future__ import annotations

import pandas as pd

from genims_platform.lib.tables import Extract, Range, Reconcile, TableSpec, Window

ORDERS = ("sales_orders",)
ORDER_LINES = ("sales_orders", "sales_order_lines")
COSTED_LINES = ("sales_orders", "sales_order_lines", "standard_costs")
UNASSIGNED = "UNASSIGNED"

CANCELLED = "Orders with status CANCELLED never count."
GROWTH = (
    "(revenue of the 30 days ending on the day - revenue of the 30 days before those) / "
    "revenue of the 30 days before those; NULL when that earlier revenue is 0"
)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NULL (NaN) where the denominator is 0 or unknown."""
    denominator = pd.to_numeric(denominator, errors="coerce")
    return pd.to_numeric(numerator, errors="coerce") / denominator.where(denominator != 0)


def _forecast_accuracy(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Variance and accuracy of a forecast against the orders of its month; a product without
    orders sold nothing (0), a product without a forecast keeps NULL forecast and KPIs."""
    out = frame.copy()
    out["actual_units"] = pd.to_numeric(out["actual_units"]).fillna(0.0)
    out["actual_revenue"] = pd.to_numeric(out["actual_revenue"]).fillna(0.0)
    forecast_units = pd.to_numeric(out["forecast_units"])
    out["variance_ratio"] = _ratio(
        out["actual_revenue"] - out["forecast_revenue"], out["forecast_revenue"]
    )
    miss = _ratio((out["actual_units"] - forecast_units).abs(), forecast_units)
    out["accuracy_metric"] = (1 - miss).clip(lower=0)
    return out


def _rep_attainment(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Sales (erp) against the rep's daily target and commission rate (crm)."""
    out = frame.copy()
    out["target_vs_actual_ratio"] = _ratio(out["total_sales"], out["daily_target_amount"])
    out["commission_amount"] = out["total_sales"] * pd.to_numeric(out["commission_rate"])
    return out


def _by_segment(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Customer-day revenue (erp) grouped by the customer's CRM segment, next to the segment's
    account counts (crm). Revenue of customers without a CRM account stays visible under
    UNASSIGNED; a segment without recent orders still gets its row with zero revenue."""
    rows = frame.fillna({"segment": UNASSIGNED})
    revenue = ["revenue_day", "revenue_30d", "revenue_prev_30d"]
    rows[revenue] = rows[revenue].apply(pd.to_numeric).fillna(0.0)
    groups = rows.groupby(["date", "segment"], sort=True)
    out = groups.agg(
        total_revenue=("revenue_day", "sum"),
        revenue_30d=("revenue_30d", "sum"),
        revenue_prev_30d=("revenue_prev_30d", "sum"),
        customer_count=("customer_count", "max"),
        churn_rate_ratio=("churn_rate_ratio", "max"),
    ).reset_index()
    out["average_revenue_per_customer"] = _ratio(out["total_revenue"], out["customer_count"])
    out["growth_rate_ratio"] = _ratio(
        out["revenue_30d"] - out["revenue_prev_30d"], out["revenue_prev_30d"]
    )
    return out.drop(columns=["revenue_30d", "revenue_prev_30d"])


def _payment_and_returns(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Payment reliability against the customer's terms (master) and the return rate (service
    over erp): the arithmetic that spans databases."""
    out = frame.copy()
    out["ytd_units_returned"] = pd.to_numeric(out["ytd_units_returned"]).fillna(0.0)
    out["return_rate_ratio"] = _ratio(out["ytd_units_returned"], out["ytd_units_ordered"])
    within_terms = [
        None if not isinstance(days, list) or pd.isna(terms) else sum(d <= terms for d in days)
        for days, terms in zip(out["payment_days"], out["payment_terms_days"], strict=True)
    ]
    out["payment_reliability_ratio"] = _ratio(
        pd.Series(within_terms, index=out.index, dtype="float64"), out["ytd_paid_orders"]
    )
    return out.drop(columns=["payment_days"])


TABLES = [
    TableSpec(
        target="reporting",
        name="sales_order_summary",
        category="sales",
        description=(
            "Every sales order once, on its order day, with its value, standard-cost margin, "
            "delivery, status and payment status: the order book for sales dashboards.\n\n"
            "* region = region of the customer (master.customers)\n"
            "* total_amount = the order's `total_amount`\n"
            "* **margin_amount = sum(line_amount) - sum(quantity x product standard cost valid "
            "on the order date)**; NULL when a line's product has no valid standard cost\n"
            "* **margin_ratio = margin_amount / total_amount** (NULL when total_amount is 0)\n\n"
            "Cancelled orders keep their row (with status CANCELLED and the value they had) "
            "so the order book is complete, but they are not sales: every revenue total, here "
            "and in the other sales tables, is over `status <> 'CANCELLED'` (the data test "
            "reconciles exactly that). Status, payment status and delivery date are as of the "
            "last materialisation of the order's day."
        ),
        extracts=(
            Extract("erp", "sales_order_summary.sql", reads=COSTED_LINES),
            Extract(
                "master",
                "sales_order_summary.customers.sql",
                reads=("customers",),
                on=("customer_id",),
                windowed=False,
            ),
        ),
        ranges=(Range("total_amount", 0), Range("margin_ratio", None, 1)),
        reconcile=(
            Reconcile(
                "revenue",
                "erp",
                "sales_order_summary.revenue.sql",
                "SUM(CASE WHEN status <> 'CANCELLED' THEN total_amount ELSE 0 END)",
            ),
            Reconcile("orders", "erp", "sales_order_summary.orders.sql", "COUNT(*)", 0),
        ),
    ),
    TableSpec(
        target="reporting",
        name="sales_by_product",
        category="sales",
        description=(
            "What each product sold per order day: units, revenue, average price, margin and "
            f"the trend against four weeks earlier. {CANCELLED}\n\n"
            "* units_sold = sum(quantity); revenue_total = sum(line_amount)\n"
            "* **average_price = revenue_total / units_sold**\n"
            "* **margin_amount = revenue_total - sum(quantity x product standard cost valid on "
            "the day)**, NULL when a line's product has no valid standard cost\n"
            "* **margin_ratio = margin_amount / revenue_total** (NULL when revenue is 0)\n"
            "* **trend_vs_month_ago_ratio = (revenue_total - revenue of the same product 28 "
            "days earlier) / that revenue**; NULL when the product sold nothing then (28 days "
            "keeps the weekday, so weekly patterns do not distort the trend)\n\n"
            "Name and category come from master.products."
        ),
        extracts=(
            Extract("erp", "sales_by_product.sql", reads=COSTED_LINES),
            Extract(
                "master",
                "sales_by_product.products.sql",
                reads=("products",),
                on=("product_id",),
                windowed=False,
            ),
        ),
        ranges=(
            Range("units_sold", 0),
            Range("revenue_total", 0),
            Range("average_price", 0),
            Range("margin_ratio", None, 1),
            Range("trend_vs_month_ago_ratio", -1),
        ),
        reconcile=(
            Reconcile("revenue", "erp", "sales_by_product.revenue.sql", "SUM(revenue_total)"),
            Reconcile("units", "erp", "sales_by_product.units.sql", "SUM(units_sold)", 0.001),
        ),
    ),
    TableSpec(
        target="reporting",
        name="sales_by_customer",
        category="sales",
        description=(
            "What each customer ordered per order day, with its 30-day order frequency and "
            f"revenue growth; one row per customer and day with orders. {CANCELLED}\n\n"
            "* total_orders = orders placed that day; total_revenue = sum(total_amount)\n"
            "* **average_order_value = total_revenue / total_orders**\n"
            "* **order_frequency = orders of the customer in the 30 days ending on the day** "
            "(day included)\n"
            f"* **growth_rate_ratio = {GROWTH}**\n\n"
            "Name from master.customers."
        ),
        extracts=(
            Extract("erp", "sales_by_customer.sql", reads=ORDERS),
            Extract(
                "master",
                "sales_by_customer.customers.sql",
                reads=("customers",),
                on=("customer_id",),
                windowed=False,
            ),
        ),
        ranges=(
            Range("total_orders", 0),
            Range("total_revenue", 0),
            Range("average_order_value", 0),
            Range("order_frequency", 1),
            Range("growth_rate_ratio", -1),
        ),
        reconcile=(
            Reconcile("revenue", "erp", "sales_by_customer.revenue.sql", "SUM(total_revenue)"),
            Reconcile("orders", "erp", "sales_by_customer.orders.sql", "SUM(total_orders)", 0),
        ),
    ),
    TableSpec(
        target="reporting",
        name="sales_forecast_actuals",
        category="sales",
        partitioning="monthly",
        date_column="period_month",
        # One chunk per run: a chunk boundary inside a month would split its actuals in two.
        chunk_days=3660,
        description=(
            "The monthly sales forecast of each product (crm.sales_forecasts) against what "
            "was actually ordered in that month (erp order lines by order_date). Products "
            "with orders but no forecast and products with a forecast but no orders both "
            f"appear. {CANCELLED}\n\n"
            "* actual_units = sum(quantity), actual_revenue = sum(line_amount) (0 without "
            "orders); forecast columns are NULL without a forecast\n"
            "* **variance_ratio = (actual_revenue - forecast_revenue) / forecast_revenue** "
            "(NULL when the forecast revenue is 0 or missing)\n"
            "* **accuracy_metric = max(0, 1 - |actual_units - forecast_units| / "
            "forecast_units)** (NULL when the forecast units are 0 or missing)"
        ),
        extracts=(
            Extract("crm", "sales_forecast_actuals.sql", reads=("sales_forecasts",)),
            Extract(
                "erp",
                "sales_forecast_actuals.actuals.sql",
                reads=ORDER_LINES,
                on=("period_month", "product_id"),
                how="outer",
            ),
        ),
        derive=_forecast_accuracy,
        ranges=(
            Range("forecast_units", 0),
            Range("forecast_revenue", 0),
            Range("actual_units", 0),
            Range("actual_revenue", 0),
            Range("variance_ratio", -1),
            Range("accuracy_metric", 0, 1),
        ),
        reconcile=(
            Reconcile(
                "actual_revenue",
                "erp",
                "sales_forecast_actuals.actual_revenue.sql",
                "SUM(actual_revenue)",
            ),
            Reconcile(
                "forecast_revenue",
                "crm",
                "sales_forecast_actuals.forecast_revenue.sql",
                "SUM(forecast_revenue)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="sales_rep_performance",
        category="sales",
        description=(
            "Daily results of each sales rep with orders that day: sales, attainment of the "
            f"monthly target, commission, customers served and win rate. {CANCELLED}\n\n"
            "* total_sales = sum(total_amount) of the rep's orders (erp `sales_rep_id`)\n"
            "* daily_target_amount = the rep's `target_amount` of the month "
            "(crm.sales_targets) / days in that month\n"
            "* **target_vs_actual_ratio = total_sales / daily_target_amount** (NULL without a "
            "target; above 1 beats the target)\n"
            "* **commission_amount = total_sales x commission_rate** (crm.sales_reps)\n"
            "* customer_count = distinct customers with an order of the rep that day\n"
            "* **win_rate_ratio = CLOSED_WON / (CLOSED_WON + CLOSED_LOST)** over the rep's "
            "opportunities closed (UTC day of `closed_at`) in the 30 days ending on the day; "
            "NULL when none closed"
        ),
        extracts=(
            Extract("erp", "sales_rep_performance.sql", reads=ORDERS),
            Extract(
                "crm",
                "sales_rep_performance.crm.sql",
                reads=("sales_reps", "sales_targets", "opportunities"),
                on=("date", "salesperson_id"),
            ),
        ),
        derive=_rep_attainment,
        ranges=(
            Range("order_count", 0),
            Range("total_sales", 0),
            Range("daily_target_amount", 0),
            Range("target_vs_actual_ratio", 0),
            Range("commission_rate", 0, 1),
            Range("commission_amount", 0),
            Range("customer_count", 0),
            Range("win_rate_ratio", 0, 1),
        ),
        reconcile=(
            Reconcile(
                "total_sales", "erp", "sales_rep_performance.total_sales.sql", "SUM(total_sales)"
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="customer_segment_analysis",
        category="sales",
        description=(
            "Each CRM customer segment per day: how many customers it has, what they ordered, "
            f"how many left, and how revenue grows. {CANCELLED}\n\n"
            "* segment = `crm.customer_accounts.segment` (the current segment of each "
            "account); revenue of customers without a CRM account is shown under UNASSIGNED\n"
            "* **customer_count = accounts of the segment not churned at the end of the day** "
            "(`churned_at` NULL or later; UTC)\n"
            "* total_revenue = sum(total_amount) of the segment's orders placed that day\n"
            "* **average_revenue_per_customer = total_revenue / customer_count**\n"
            "* **churn_rate_ratio = accounts with `churned_at` in the 30 days ending on the day "
            "/ accounts of the segment not churned 30 days earlier**\n"
            f"* **growth_rate_ratio = {GROWTH}**, over the segment's customers\n\n"
            "Every segment with CRM accounts has a row every day, with zero revenue on a day "
            "without orders."
        ),
        extracts=(
            Extract("erp", "customer_segment_analysis.sql", reads=ORDERS),
            Extract(
                "crm",
                "customer_segment_analysis.accounts.sql",
                reads=("customer_accounts",),
                on=("customer_id",),
                windowed=False,
            ),
            Extract(
                "crm",
                "customer_segment_analysis.churn.sql",
                reads=("customer_accounts",),
                on=("date", "segment"),
                how="outer",
            ),
        ),
        derive=_by_segment,
        ranges=(
            Range("customer_count", 0),
            Range("total_revenue", 0),
            Range("average_revenue_per_customer", 0),
            Range("churn_rate_ratio", 0, 1),
            Range("growth_rate_ratio", -1),
        ),
        reconcile=(
            Reconcile(
                "revenue", "erp", "customer_segment_analysis.revenue.sql", "SUM(total_revenue)"
            ),
            Reconcile(
                "customer_count",
                "crm",
                "customer_segment_analysis.customer_count.sql",
                "SUM(customer_count)",
                0,
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="customer_performance",
        category="sales",
        description=(
            "A daily year-to-date snapshot of every customer with an order this year: sales, "
            "payment behaviour, returns, satisfaction and churn risk, for account managers. "
            "The year to date runs from 1 January of the day's year to the day inclusive. "
            f"{CANCELLED}\n\n"
            "* ytd_sales = sum(total_amount), ytd_orders = count, ytd_units_ordered = units\n"
            "* ytd_units_returned = service.returns quantity with `return_date` in the year to "
            "date (REJECTED returns sent nothing back and do not count)\n"
            "* **return_rate_ratio = ytd_units_returned / ytd_units_ordered** (can exceed 1 "
            "early in a year, when last year's goods come back)\n"
            "* **churn_risk = HIGH if no order in the last 60 days, MEDIUM if none in the last "
            "30 days, else LOW** (from last_order_date)\n"
            "* **payment_days_average = avg(paid_date - order_date)** over the orders with "
            "payment_status PAID and `paid_date` in the year to date (ytd_paid_orders)\n"
            "* **payment_reliability_ratio = share of those paid orders with paid_date - "
            "order_date <= payment_terms_days** (master.customers)\n"
            "* nps_score = the account's current `nps_score` (crm.customer_accounts)"
        ),
        extracts=(
            Extract("erp", "customer_performance.sql", reads=ORDER_LINES),
            Extract(
                "master",
                "customer_performance.customers.sql",
                reads=("customers",),
                on=("customer_id",),
                windowed=False,
            ),
            Extract(
                "crm",
                "customer_performance.accounts.sql",
                reads=("customer_accounts",),
                on=("customer_id",),
                windowed=False,
            ),
            Extract(
                "service",
                "customer_performance.returns.sql",
                reads=("returns",),
                on=("date", "customer_id"),
            ),
        ),
        derive=_payment_and_returns,
        ranges=(
            Range("ytd_sales", 0),
            Range("ytd_orders", 1),
            Range("ytd_units_ordered", 0),
            Range("ytd_units_returned", 0),
            Range("return_rate_ratio", 0),
            Range("ytd_paid_orders", 0),
            Range("payment_days_average", 0),
            Range("payment_reliability_ratio", 0, 1),
            Range("nps_score", -100, 100),
        ),
        reconcile=(
            Reconcile("ytd_sales", "erp", "customer_performance.ytd_sales.sql", "SUM(ytd_sales)"),
        ),
    ),
]
