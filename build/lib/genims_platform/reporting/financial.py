"""Financial statements and cost reporting from the general ledger."""

from __future__ import annotations

import pandas as pd

from genims_platform.lib.tables import Extract, Range, Reconcile, TableSpec, Window

LEDGER = ("gl_accounts", "journal_entries", "journal_entry_lines")
SALES = ("sales_orders", "sales_order_lines", "standard_costs")
LOCATION = ("country", "region", "city")
UNKNOWN = "UNKNOWN"

CONVENTIONS = (
    "Ledger conventions: every journal line counts. Entries are POSTED or REVERSED and both are "
    "posted history: a reversal is an entry of its own with opposite lines, so a mistake and "
    "its reversal cancel out over time, each on its own day. The day of a line is its "
    "entry's `entry_date`. Revenue-type amounts (revenue, other income, liabilities, equity) "
    "are credit - debit; asset and expense amounts are debit - credit."
)
PERIOD = (
    "`accounting_period` = `period_code` of the shortest accounting period that contains the "
    "day (NULL if none)."
)
ANNUALISE = "365 / 30"


def _by_location(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Customer-day revenue grouped by the customer's location; a customer missing from master
    data is kept under UNKNOWN so no revenue is lost, and a group's cost is NULL as soon as
    one of its customer-days lacks a standard cost."""
    located = frame.fillna({column: UNKNOWN for column in LOCATION})
    located["cost"] = pd.to_numeric(located["cost"], errors="coerce")
    groups = located.groupby(["date", *LOCATION], sort=True)
    out = groups.agg(
        total_revenue=("revenue", "sum"),
        customer_count=("customer_id", "nunique"),
        order_count=("order_count", "sum"),
    )
    out["total_cost"] = groups["cost"].sum().where(groups["cost"].count() == groups.size())
    out["total_margin"] = out["total_revenue"] - out["total_cost"]
    return out.reset_index()


def _per_unit(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Units the cost centre's factory completed that day (0 if none, NULL without a factory)
    and the cost per unit (NULL when no unit was completed)."""
    out = frame.copy()
    units = pd.to_numeric(out["units_produced"], errors="coerce").fillna(0)
    units = units.where(out["factory_id"].notna())
    out["units_produced"] = units
    out["cost_per_unit"] = out["total_cost"] / units.where(units > 0)
    return out


TABLES = [
    TableSpec(
        target="reporting",
        name="profit_and_loss_daily",
        category="financial",
        description=(
            "Daily profit and loss statement of the company from the general ledger: one row "
            "per calendar day, zeros on a day without postings.\n\n"
            "Amounts by `gl_accounts.account_subtype`:\n\n"
            "* revenue_total = credit - debit on REVENUE accounts\n"
            "* other_income = credit - debit on OTHER_INCOME accounts\n"
            "* cost_of_goods_sold = debit - credit on COGS accounts\n"
            "* **gross_margin = revenue_total - cost_of_goods_sold**\n"
            "* operating_expenses = debit - credit on OPEX accounts\n"
            "* **operating_income = gross_margin - operating_expenses**\n"
            "* interest_expense = debit - credit on INTEREST accounts; taxes = on TAX accounts\n"
            "* **net_income = operating_income + other_income - interest_expense - taxes**\n\n"
            f"{PERIOD}\n\n{CONVENTIONS}\n\n"
            "Data test: the window's net income equals credit - debit of all lines on REVENUE "
            "and EXPENSE accounts (by account type), so a P&L account with a subtype the "
            "statement does not know blocks the partition instead of vanishing from it."
        ),
        extracts=(
            Extract(
                "financial", "profit_and_loss_daily.sql", reads=(*LEDGER, "accounting_periods")
            ),
        ),
        reconcile=(
            Reconcile(
                "net_income", "financial", "profit_and_loss_daily_net_income.sql", "SUM(net_income)"
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="balance_sheet_summary",
        category="financial",
        description=(
            "Balance sheet of the company at the end of each day: cumulative balances of all "
            "journal lines up to and including the day.\n\n"
            "* current_assets / fixed_assets = debit - credit on CURRENT_ASSET / FIXED_ASSET "
            "accounts; total_assets = on all ASSET accounts\n"
            "* current_liabilities / long_term_liabilities = credit - debit on "
            "CURRENT_LIABILITY / LONG_TERM_LIABILITY accounts; total_liabilities = on all "
            "LIABILITY accounts\n"
            "* contributed_equity = credit - debit on EQUITY accounts\n"
            "* retained_earnings = cumulative net income = credit - debit on all REVENUE and "
            "EXPENSE accounts since the first posting\n"
            "* **shareholders_equity = contributed_equity + retained_earnings**\n"
            "* **balance_check_difference = total_assets - (total_liabilities + "
            "shareholders_equity)**: 0 whenever every journal entry balances; a blocking data "
            "test requires exactly 0.\n\n"
            f"{PERIOD}\n\n{CONVENTIONS}"
        ),
        extracts=(
            Extract(
                "financial", "balance_sheet_summary.sql", reads=(*LEDGER, "accounting_periods")
            ),
        ),
        ranges=(Range("total_assets", 0), Range("balance_check_difference", 0, 0)),
        reconcile=(
            Reconcile(
                "total_assets",
                "financial",
                "balance_sheet_summary_total_assets.sql",
                "SUM(total_assets)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="cash_flow_summary",
        category="financial",
        description=(
            "Daily statement of cash flows from the general ledger (direct method).\n\n"
            "Cash lines are lines on accounts whose `cash_flow_category` is CASH. The net cash "
            "movement of a journal entry (debit - credit of its cash lines) is attributed to "
            "the `cash_flow_category` (OPERATING, INVESTING, FINANCING) of the entry's "
            "non-cash line with the largest absolute amount (ties: the lowest line number); an "
            "entry with cash lines only (a transfer between cash accounts, net 0) counts as "
            "OPERATING.\n\n"
            "* operating / investing / financing_cash_flow = net cash movement of the entries "
            "attributed to the category\n"
            "* **net_change_in_cash = debit - credit on cash accounts during the day** "
            "(= operating + investing + financing)\n"
            "* cash_balance_beginning = cumulative debit - credit on cash accounts before the "
            "day\n"
            "* **cash_balance_ending = cash_balance_beginning + net_change_in_cash**\n\n"
            f"{PERIOD}\n\n{CONVENTIONS}"
        ),
        extracts=(
            Extract("financial", "cash_flow_summary.sql", reads=(*LEDGER, "accounting_periods")),
        ),
        reconcile=(
            Reconcile(
                "attributed_cash_flow",
                "financial",
                "cash_flow_summary_net_change.sql",
                "SUM(operating_cash_flow + investing_cash_flow + financing_cash_flow)",
            ),
            Reconcile(
                "cash_balance_ending",
                "financial",
                "cash_flow_summary_ending_balance.sql",
                "SUM(cash_balance_ending)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="budget_vs_actual",
        category="financial",
        partitioning="monthly",
        date_column="period_month",
        description=(
            "Monthly spending of each cost centre against its budget.\n\n"
            "* budget_amount = `financial.budgets` of the accounting periods that start in the "
            "month (0 when the cost centre has no budget)\n"
            "* actual_amount = debit - credit of the lines on EXPENSE accounts booked to the "
            "cost centre with an entry_date in the month (lines without a cost centre are not "
            "attributable and are left out)\n"
            "* **variance_amount = actual_amount - budget_amount** (positive = overspent)\n"
            "* **variance_ratio = variance_amount / budget_amount** (signed fraction, NULL "
            "without a budget)\n"
            "* **status** = ON_BUDGET when |variance_amount| <= 0.02 x budget_amount (i.e. "
            "|variance_ratio| <= 0.02), otherwise OVER_BUDGET (actual above budget) or "
            "UNDER_BUDGET. Without a budget, any positive spending is OVER_BUDGET.\n"
            "* cost_center_name from `master.cost_centers`.\n\n"
            f"Rows: cost centres with a budget or spending in the month. {CONVENTIONS}"
        ),
        extracts=(
            Extract(
                "financial",
                "budget_vs_actual.sql",
                reads=(*LEDGER, "accounting_periods", "budgets"),
            ),
            Extract(
                "master",
                "budget_vs_actual.cost_centers.sql",
                reads=("cost_centers",),
                on=("cost_center_id",),
                windowed=False,
            ),
        ),
        ranges=(Range("budget_amount", 0),),
        reconcile=(
            Reconcile(
                "actual_amount", "financial", "budget_vs_actual_actual.sql", "SUM(actual_amount)"
            ),
            Reconcile(
                "budget_amount", "financial", "budget_vs_actual_budget.sql", "SUM(budget_amount)"
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="revenue_by_product",
        category="financial",
        description=(
            "Recognised revenue, cost of goods and gross margin per product and day.\n\n"
            "Revenue is recognised on the ship date of the sales order; cancelled orders never "
            "count.\n\n"
            "* units_sold = sum of line quantities\n"
            "* revenue = sum of line amounts (after discount)\n"
            "* cost_of_goods = units_sold x the PRODUCT standard unit cost "
            "(`erp.standard_costs`) valid on the ship date (valid_from <= day < valid_to), NULL "
            "when the product has no valid standard cost\n"
            "* **gross_margin = revenue - cost_of_goods**\n"
            "* **margin_ratio = gross_margin / revenue** (fraction, NULL when revenue is 0)\n"
            "* product_name from `master.products`."
        ),
        extracts=(
            Extract("erp", "revenue_by_product.sql", reads=SALES),
            Extract(
                "master",
                "revenue_by_product.products.sql",
                reads=("products",),
                on=("product_id",),
                windowed=False,
            ),
        ),
        ranges=(
            Range("units_sold", 0),
            Range("revenue", 0),
            Range("cost_of_goods", 0),
            Range("margin_ratio", None, 1),
        ),
        reconcile=(Reconcile("revenue", "erp", "revenue_by_product_revenue.sql", "SUM(revenue)"),),
    ),
    TableSpec(
        target="reporting",
        name="revenue_by_geography",
        category="financial",
        description=(
            "Recognised revenue, cost and margin per customer location (country, region, city "
            "of `master.customers`) and day; recognition as in revenue_by_product (ship date "
            "of non-cancelled orders, standard cost valid on the ship date).\n\n"
            "* total_revenue = sum of line amounts\n"
            "* total_cost = sum of quantity x standard unit cost; NULL if any line of the "
            "location and day has no valid standard cost\n"
            "* **total_margin = total_revenue - total_cost**\n"
            "* customer_count = distinct customers shipped to; order_count = distinct orders "
            "shipped\n\n"
            "A customer missing from master data is reported under country, region and city "
            "UNKNOWN, so revenue is never lost."
        ),
        extracts=(
            Extract("erp", "revenue_by_geography.sql", reads=SALES),
            Extract(
                "master",
                "revenue_by_geography.customers.sql",
                reads=("customers",),
                on=("customer_id",),
                windowed=False,
            ),
        ),
        derive=_by_location,
        ranges=(
            Range("total_revenue", 0),
            Range("total_cost", 0),
            Range("customer_count", 1),
            Range("order_count", 1),
        ),
        reconcile=(
            Reconcile(
                "total_revenue", "erp", "revenue_by_geography_revenue.sql", "SUM(total_revenue)"
            ),
            Reconcile("order_count", "erp", "revenue_by_geography_orders.sql", "SUM(order_count)"),
        ),
    ),
    TableSpec(
        target="reporting",
        name="operating_metrics",
        category="financial",
        description=(
            "Company-wide margins, returns and turnover from the general ledger, over the "
            "trailing 30 days ending on the day (day - 29 .. day), with balances at the end "
            "of the day.\n\n"
            "* revenue_30d, cost_of_goods_sold_30d, gross_margin_30d, operating_income_30d, "
            "net_income_30d: the profit_and_loss_daily definitions summed over the 30 days\n"
            "* total_assets = cumulative debit - credit on ASSET accounts; shareholders_equity "
            "= EQUITY accounts + cumulative net income (as in balance_sheet_summary)\n"
            "* inventory_balance = cumulative debit - credit on the inventory accounts "
            "(gl_accounts.is_inventory)\n"
            "* **gross_margin_ratio = gross_margin_30d / revenue_30d**; **operating_margin_ratio"
            " = operating_income_30d / revenue_30d**; **net_margin_ratio = net_income_30d / "
            "revenue_30d**\n"
            f"* **return_on_assets_ratio = net_income_30d x {ANNUALISE} / total_assets**\n"
            f"* **return_on_equity_ratio = net_income_30d x {ANNUALISE} / shareholders_equity**\n"
            f"* **asset_turnover = revenue_30d x {ANNUALISE} / total_assets**\n"
            f"* **inventory_turnover = cost_of_goods_sold_30d x {ANNUALISE} / "
            "inventory_balance**\n\n"
            f"Every ratio is NULL when its denominator is 0. {CONVENTIONS}"
        ),
        extracts=(Extract("financial", "operating_metrics.sql", reads=LEDGER),),
        ranges=(Range("total_assets", 0), Range("inventory_balance", 0)),
        reconcile=(
            Reconcile(
                "revenue_30d", "financial", "operating_metrics_revenue_30d.sql", "SUM(revenue_30d)"
            ),
            Reconcile(
                "net_income_30d",
                "financial",
                "operating_metrics_net_income_30d.sql",
                "SUM(net_income_30d)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="cost_analysis",
        category="financial",
        description=(
            "Daily cost of each cost centre by cost element, per unit produced and against its "
            "recent trend. One row per cost centre and day with costs.\n\n"
            "* material_cost / labor_cost / overhead_cost = debit - credit of the lines on "
            "EXPENSE accounts whose `cost_element` is MATERIAL / LABOR / OVERHEAD, booked to "
            "the cost centre\n"
            "* **total_cost = material_cost + labor_cost + overhead_cost**\n"
            "* factory_id = `master.cost_centers.factory_id`; units_produced = "
            "`quantity_completed` of the factory's work orders whose `actual_end` falls on "
            "the day (UTC), NULL for a cost centre without a factory\n"
            "* **cost_per_unit = total_cost / units_produced** (NULL when no unit was "
            "completed)\n"
            "* previous_7d_average_cost = sum of total_cost over the 7 previous days / 7 (a "
            "day without costs counts as 0)\n"
            "* **cost_trend_ratio = (total_cost - previous_7d_average_cost) / "
            "previous_7d_average_cost** (signed fraction, NULL when the average is 0)\n\n"
            f"{CONVENTIONS}"
        ),
        extracts=(
            Extract("financial", "cost_analysis.sql", reads=LEDGER),
            Extract(
                "master",
                "cost_analysis.cost_centers.sql",
                reads=("cost_centers",),
                on=("cost_center_id",),
                windowed=False,
            ),
            Extract(
                "manufacturing",
                "cost_analysis.units.sql",
                reads=("work_orders",),
                on=("date", "factory_id"),
            ),
        ),
        derive=_per_unit,
        ranges=(Range("units_produced", 0),),
        reconcile=(
            Reconcile("total_cost", "financial", "cost_analysis_total_cost.sql", "SUM(total_cost)"),
        ),
    ),
]
