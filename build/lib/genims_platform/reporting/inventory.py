"""Inventory: stock value, slow movers, count variances, stock levels, aging, material flow.

Conventions shared by the six tables:

* **Stock** of a material in a warehouse at the end of a day is the sum of all its signed
  movements (`wms.inventory_transactions.quantity`) with `tx_ts` before the next midnight (UTC),
  the same invariant that keeps `inventory_balances` equal to the movements. Each transform reads
  the history once per window (sparse movement days plus the window's days) and rolls it up with
  window frames, so a day's values never depend on the window it is computed in.
* An item exists from its first movement on; days before it have no row.
* **Issues** are what depletes a warehouse: ISSUE + SCRAP + TRANSFER_OUT, as positive quantities
  (days of supply, turnover, usage). **Consumption** is ISSUE alone (slow movers, ABC class).
* "The 30 (90, 365) days ending with the day" include the day itself.
* **Standard cost** of a material on a day: the erp `standard_costs` row of item type MATERIAL
  valid that day, else `master.materials.standard_cost`; a material with neither is valued at 0.
* **FIFO aging**: the stock on hand is the newest inbound quantities (every positive movement:
  receipts, transfers in, positive adjustments), outbound quantities consume the oldest first.
  The age of a quantity is the day minus the UTC day it came in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genims_platform.lib.tables import Extract, Range, Reconcile, TableSpec, Window

ABC_A, ABC_B = 0.80, 0.95
AGING, STALE = 0.10, 0.30

STANDARD_COST = Extract(
    "erp",
    "inventory_value_summary.standard_cost.sql",
    reads=("standard_costs",),
    on=("date", "material_id"),
)
MATERIALS = Extract(
    "master",
    "inventory_value_summary.materials.sql",
    reads=("materials",),
    on=("material_id",),
    windowed=False,
)
WAREHOUSES = Extract(
    "master",
    "inventory_value_summary.warehouses.sql",
    reads=("warehouses",),
    on=("warehouse_id",),
    windowed=False,
)
STOCK_ON_HAND = "inventory_value_summary.stock_on_hand.sql"


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _unit_cost(frame: pd.DataFrame) -> pd.Series:
    """Standard cost valid that day (erp), else the master standard cost, else 0."""
    erp = _number(frame, "standard_unit_cost")
    return erp.fillna(_number(frame, "material_standard_cost")).fillna(0.0)


def _abc(frame: pd.DataFrame, value: str, key: str) -> pd.Series:
    """A/B/C per day by the share of `value` held by the rows ranked above (value desc, key)."""
    ranked = frame.sort_values(["date", value, key], ascending=[True, False, True])
    day_total = ranked.groupby("date")[value].transform("sum")
    above = ranked.groupby("date")[value].cumsum() - ranked[value]
    share = (above / day_total.where(day_total > 0)).fillna(1.0)
    positive = ranked[value] > 0
    labels = np.select(
        [positive & (share < ABC_A), positive & (share < ABC_B)], ["A", "B"], default="C"
    )
    return pd.Series(labels, index=ranked.index).reindex(frame.index)


def _value_summary(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    cost = _unit_cost(frame)
    market = _number(frame, "market_unit_price").fillna(cost)
    stock = _number(frame, "stock")
    items = pd.DataFrame(
        {
            "date": frame["date"],
            "warehouse_id": frame["warehouse_id"],
            "factory_id": frame["factory_id"],
            "location": frame["location"],
            "quantity_on_hand": stock,
            "value_at_cost": stock * cost,
            "value_at_market": stock * market,
            "aged_value": _number(frame, "stock_over_90_days") * cost,
            "issue_value": _number(frame, "issued_30d") * cost,
        }
    )
    out = items.groupby(["date", "warehouse_id"], as_index=False).agg(
        factory_id=("factory_id", "first"),
        location=("location", "first"),
        quantity_on_hand=("quantity_on_hand", "sum"),
        value_at_cost=("value_at_cost", "sum"),
        value_at_market=("value_at_market", "sum"),
        aged_value=("aged_value", "sum"),
        issue_value=("issue_value", "sum"),
    )
    out["average_daily_issue_value"] = out.pop("issue_value") / 30
    daily_issues = out["average_daily_issue_value"]
    out["inventory_turnover_days"] = out["value_at_cost"] / daily_issues.where(daily_issues > 0)
    valued = out["value_at_cost"].where(out["value_at_cost"] > 0)
    aged = out.pop("aged_value") / valued
    out["aged_over_90_days_ratio"] = aged
    out["aging_status"] = np.select(
        [aged.isna(), aged < AGING, aged < STALE], [None, "CURRENT", "AGING"], default="STALE"
    )
    out["abc_classification"] = _abc(out, "value_at_cost", "warehouse_id")
    return out


def _valued(quantity: str, value: str, columns: list[str]):
    """Derive for per-material snapshots: `value` = `quantity` x standard cost of the day."""

    def derive(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
        out = frame.copy()
        out[value] = _number(frame, quantity) * _unit_cost(frame)
        return out[columns]

    return derive


FLOW_QUANTITIES = [
    "receipts_qty",
    "issues_qty",
    "adjustments_qty",
    "ending_balance",
    "average_daily_usage",
]


def _material_flow(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Warehouses roll up to their factory; the supplier rating is the mean over the distinct
    suppliers of the (date, material, factory). The supplier extract repeats a warehouse row
    once per supplier, so quantities are summed over distinct warehouse rows only."""
    keys = ["date", "material_id", "factory_id"]
    # dropna=False: a warehouse unknown to master data keeps its rows, and keys_not_null names them.
    flows = (
        frame.drop_duplicates(["date", "material_id", "warehouse_id"])
        .groupby(keys, as_index=False, dropna=False)[FLOW_QUANTITIES]
        .sum()
    )
    scores = frame.assign(overall_score=_number(frame, "overall_score")).dropna(
        subset=["overall_score"]
    )
    rating = (
        scores.drop_duplicates([*keys, "supplier_id"])
        .groupby(keys, as_index=False)["overall_score"]
        .mean()
        .rename(columns={"overall_score": "supplier_performance_rating"})
    )
    return flows.merge(rating, on=keys, how="left")


TABLES = [
    TableSpec(
        target="reporting",
        name="inventory_value_summary",
        category="inventory",
        description=(
            "Stock of each warehouse at the end of each day (UTC), valued at cost and at "
            "market. One row per warehouse holding stock or having issued something in the 30 "
            "days ending with the day.\n\n"
            "* quantity_on_hand = sum over materials of stock (all signed movements before the "
            "next midnight; units of measure are mixed)\n"
            "* value_at_cost = sum(stock x standard cost valid that day: erp standard_costs "
            "MATERIAL, else master.materials.standard_cost)\n"
            "* value_at_market = sum(stock x unit price of the material's latest non-cancelled "
            "purchase order line with order_date on or before the day, else the standard cost)\n"
            "* average_daily_issue_value = sum(issues (ISSUE + SCRAP + TRANSFER_OUT) of the 30 "
            "days ending with the day x standard cost of the day) / 30\n"
            "* **inventory_turnover_days = value_at_cost / average_daily_issue_value** (NULL "
            "when nothing was issued)\n"
            "* aged_over_90_days_ratio = value at cost of the stock received more than 90 days "
            "before the day (FIFO per material and warehouse) / value_at_cost\n"
            "* aging_status = CURRENT below 0.10, AGING from 0.10 to below 0.30, STALE from "
            "0.30 (NULL when the warehouse holds no value)\n"
            "* abc_classification: warehouses ranked by value_at_cost of the day; A while the "
            "warehouses ranked above hold less than 80 % of the total, B less than 95 %, else C\n"
            "* location = warehouse city; factory_id 0 = warehouse not attached to a factory."
        ),
        extracts=(
            Extract("wms", "inventory_value_summary.sql", reads=("inventory_transactions",)),
            STANDARD_COST,
            Extract(
                "erp",
                "inventory_value_summary.market_price.sql",
                reads=("purchase_orders", "purchase_order_lines"),
                on=("date", "material_id"),
            ),
            MATERIALS,
            WAREHOUSES,
        ),
        derive=_value_summary,
        ranges=(
            Range("quantity_on_hand", 0),
            Range("value_at_cost", 0),
            Range("value_at_market", 0),
            Range("average_daily_issue_value", 0),
            Range("inventory_turnover_days", 0),
            Range("aged_over_90_days_ratio", 0, 1),
        ),
        reconcile=(Reconcile("stock_on_hand", "wms", STOCK_ON_HAND, "SUM(quantity_on_hand)"),),
    ),
    TableSpec(
        target="reporting",
        name="slow_moving_inventory",
        category="inventory",
        description=(
            "Materials in stock that are not being consumed, per day (UTC): total stock over "
            "all warehouses at the end of the day above 0 and the last ISSUE (any warehouse) "
            "more than 90 days before the day, or never.\n\n"
            "* quantity_on_hand = stock of the material in all warehouses\n"
            "* cost_value = quantity_on_hand x standard cost valid that day (erp, else master)\n"
            "* last_movement_date = day of the last ISSUE up to the day (NULL = never issued); "
            "days_since_movement = date - last_movement_date\n"
            "* recommended_action = REVIEW for 91-180 days, DISCOUNT for 181-365 days, "
            "WRITE_OFF above 365 days or when never issued (as specified: a material received "
            "but never issued is flagged from its first day in stock)."
        ),
        extracts=(
            Extract("wms", "slow_moving_inventory.sql", reads=("inventory_transactions",)),
            STANDARD_COST,
            MATERIALS,
        ),
        derive=_valued(
            "quantity_on_hand",
            "cost_value",
            [
                "date",
                "material_id",
                "material_name",
                "quantity_on_hand",
                "cost_value",
                "last_movement_date",
                "days_since_movement",
                "recommended_action",
            ],
        ),
        ranges=(
            Range("quantity_on_hand", 0),
            Range("cost_value", 0),
            Range("days_since_movement", 91),
        ),
        reconcile=(
            Reconcile("slow_stock", "wms", "slow_moving_inventory.sql", "SUM(quantity_on_hand)"),
        ),
        expect_rows=False,
    ),
    TableSpec(
        target="reporting",
        name="inventory_variance_analysis",
        category="inventory",
        description=(
            "Cycle count results per material, warehouse and UTC day of `counted_at` "
            "(wms.cycle_counts, all statuses). Several counts of the same item on one day are "
            "summed; the root cause is that of the latest count of the day that recorded one.\n\n"
            "* variance_quantity = physical_count - system_quantity (negative = shrinkage)\n"
            "* **variance_ratio = variance_quantity / system_quantity** (signed fraction, NULL "
            "when the system quantity is 0)\n"
            "* variance_cost = sum over the counts of (counted - system) x the count's unit cost"
        ),
        extracts=(Extract("wms", "inventory_variance_analysis.sql", reads=("cycle_counts",)),),
        ranges=(
            Range("counts_taken", 1),
            Range("system_quantity", 0),
            Range("physical_count", 0),
            Range("variance_ratio", -1),
        ),
        reconcile=(
            Reconcile(
                "variance_quantity",
                "wms",
                "inventory_variance_analysis.variance_quantity.sql",
                "SUM(variance_quantity)",
            ),
            # Rows round the cost to cents, the source total does not: allow for that.
            Reconcile(
                "variance_cost",
                "wms",
                "inventory_variance_analysis.variance_cost.sql",
                "SUM(variance_cost)",
                tolerance=1.0,
            ),
        ),
        expect_rows=False,
    ),
    TableSpec(
        target="reporting",
        name="stock_level_summary",
        category="inventory",
        description=(
            "Stock of each material in each warehouse at the end of each day (UTC) against its "
            "stocking policy. One row per item that has moved before, on days it holds stock, "
            "moves, or has a policy (so stock-outs stay visible).\n\n"
            "* current_stock = all signed movements before the next midnight\n"
            "* reorder_point, safety_stock = the current policy in wms.inventory_balances (the "
            "source keeps no history of it; NULL = no policy)\n"
            "* average_daily_issues = issues (ISSUE + SCRAP + TRANSFER_OUT) of the 30 days "
            "ending with the day / 30\n"
            "* **days_of_supply = current_stock / average_daily_issues** (NULL when nothing "
            "was issued)\n"
            "* **stockout_risk_ratio** = 1 when stock <= safety stock, 0 when stock >= reorder "
            "point, else (reorder point - stock) / (reorder point - safety stock)\n"
            "* abc_class: materials ranked by ISSUE value (quantity x transaction unit cost) of "
            "the 365 days ending with the day; A while the materials ranked above hold less "
            "than 80 % of the total, B less than 95 %, else C (also without issues)."
        ),
        extracts=(
            Extract(
                "wms",
                "stock_level_summary.sql",
                reads=("inventory_transactions", "inventory_balances"),
            ),
        ),
        ranges=(
            Range("reorder_point", 0),
            Range("safety_stock", 0),
            Range("current_stock", 0),
            Range("average_daily_issues", 0),
            Range("days_of_supply", 0),
            Range("stockout_risk_ratio", 0, 1),
        ),
        reconcile=(Reconcile("stock_on_hand", "wms", STOCK_ON_HAND, "SUM(current_stock)"),),
    ),
    TableSpec(
        target="reporting",
        name="inventory_aging_report",
        category="inventory",
        description=(
            "Age of each material's stock over all warehouses at the end of each day (UTC), "
            "FIFO: the stock on hand is the newest inbound quantities (receipts, transfers in, "
            "positive adjustments), allocated from the newest to the oldest. One row per "
            "material with stock.\n\n"
            "* age of a quantity = date - UTC day it came in; buckets 0-30, 31-60, 61-90 and "
            "more than 90 days\n"
            "* total_quantity = stock = sum of the four buckets\n"
            "* total_value = total_quantity x standard cost valid that day (erp, else master)"
        ),
        extracts=(
            Extract("wms", "inventory_aging_report.sql", reads=("inventory_transactions",)),
            STANDARD_COST,
            MATERIALS,
        ),
        derive=_valued(
            "total_quantity",
            "total_value",
            [
                "date",
                "material_id",
                "age_0_30_days_qty",
                "age_31_60_days_qty",
                "age_61_90_days_qty",
                "age_90plus_qty",
                "total_quantity",
                "total_value",
            ],
        ),
        ranges=(
            Range("age_0_30_days_qty", 0),
            Range("age_31_60_days_qty", 0),
            Range("age_61_90_days_qty", 0),
            Range("age_90plus_qty", 0),
            Range("total_quantity", 0),
            Range("total_value", 0),
        ),
        reconcile=(
            Reconcile("stock_on_hand", "wms", STOCK_ON_HAND, "SUM(total_quantity)"),
            Reconcile(
                "buckets_hold_all_stock",
                "wms",
                STOCK_ON_HAND,
                "SUM(age_0_30_days_qty + age_31_60_days_qty + age_61_90_days_qty + age_90plus_qty)",
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="material_flow_daily",
        category="inventory",
        description=(
            "Daily movements and balance of each material per factory (warehouses roll up to "
            "their factory through master.warehouses; factory 0 = warehouses not attached to a "
            "factory). One row per material and factory with stock or with a movement in the "
            "30 days ending with the day.\n\n"
            "* receipts_qty = RECEIPT + TRANSFER_IN; issues_qty = ISSUE + SCRAP + TRANSFER_OUT "
            "(positive); adjustments_qty = ADJUSTMENT (signed); so ending_balance - previous "
            "ending_balance = receipts_qty - issues_qty + adjustments_qty\n"
            "* ending_balance = all signed movements before the next midnight (UTC)\n"
            "* **average_daily_usage = issues_qty of the 30 days ending with the day / 30**\n"
            "* supplier_performance_rating = mean over the suppliers of the factory's purchase "
            "orders with a goods receipt of the material in the 90 days ending with the day of "
            "their monthly overall_score (0-5) for the day's month, or the latest earlier one "
            "while that month is not rated yet; NULL when there is none."
        ),
        extracts=(
            Extract("wms", "material_flow_daily.sql", reads=("inventory_transactions",)),
            WAREHOUSES,
            Extract(
                "erp",
                "material_flow_daily.suppliers.sql",
                reads=("goods_receipts", "purchase_orders"),
                on=("date", "material_id", "factory_id"),
            ),
            Extract(
                "supplier",
                "material_flow_daily.ratings.sql",
                reads=("supplier_ratings",),
                on=("date", "supplier_id"),
            ),
        ),
        derive=_material_flow,
        ranges=(
            Range("receipts_qty", 0),
            Range("issues_qty", 0),
            Range("ending_balance", 0),
            Range("average_daily_usage", 0),
            Range("supplier_performance_rating", 0, 5),
        ),
        reconcile=(
            Reconcile("stock_on_hand", "wms", STOCK_ON_HAND, "SUM(ending_balance)"),
            Reconcile(
                "net_movement",
                "wms",
                "material_flow_daily.net_movement.sql",
                "SUM(receipts_qty - issues_qty + adjustments_qty)",
            ),
        ),
    ),
]
