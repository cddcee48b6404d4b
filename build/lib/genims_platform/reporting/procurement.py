"""Procurement: purchase orders, supplier performance, price variance, deliveries.

Conventions shared by every table here: a purchase order belongs to its `order_date`, a goods
receipt to the UTC day of its `received_at`; purchase orders with status CANCELLED are not
spend (only `purchase_order_summary` keeps a row for them, with their status); standard prices
are the MATERIAL standard cost of `erp.standard_costs` valid on the order day
(`valid_from <= day < valid_to`).
"""

from __future__ import annotations

from genims_platform.lib.tables import Extract, Range, Reconcile, TableSpec

PURCHASING = ("purchase_orders", "purchase_order_lines")
RECEIVING = ("purchase_orders", "purchase_order_lines", "goods_receipts")

TABLES = [
    TableSpec(
        target="reporting",
        name="purchase_order_summary",
        category="procurement",
        description=(
            "Every purchase order once, on its order day, with its value, status, payment "
            "status, how much of it arrived on time and how its prices compare with standard "
            "cost: the buyer's order book.\n\n"
            "* buyer_id = `buyer_employee_id`; cost_center = code of the cost centre "
            "(master.cost_centers)\n"
            "* quantity_ordered = sum of line quantities; quantity_received = sum of goods "
            "receipts so far\n"
            "* **on_time_delivery_ratio = units received with `received_at` (UTC day) on or "
            "before the order's due_date / quantity_ordered**, each line's on-time units capped "
            "at its ordered quantity; NULL when nothing was received\n"
            "* **cost_variance_ratio = (sum(line_amount) - sum(quantity x material standard "
            "cost valid on the order date)) / the latter**; NULL when a line's material has no "
            "valid standard cost\n\n"
            "Cancelled orders keep their row (status CANCELLED, value as ordered); spend totals "
            "elsewhere leave them out. Receipts, status and payment status are as of the last "
            "materialisation of the order's day."
        ),
        extracts=(
            Extract(
                "erp",
                "purchase_order_summary.sql",
                reads=(*RECEIVING, "standard_costs"),
            ),
            Extract(
                "master",
                "purchase_order_summary.cost_centers.sql",
                reads=("cost_centers",),
                on=("cost_center_id",),
                windowed=False,
            ),
        ),
        ranges=(
            Range("total_amount", 0),
            Range("quantity_ordered", 0),
            Range("quantity_received", 0),
            Range("on_time_delivery_ratio", 0, 1),
            Range("cost_variance_ratio", -1),
        ),
        reconcile=(
            Reconcile(
                "total_amount",
                "erp",
                "purchase_order_summary.total_amount.sql",
                "SUM(total_amount)",
            ),
            Reconcile(
                "quantity_ordered",
                "erp",
                "purchase_order_summary.quantity_ordered.sql",
                "SUM(quantity_ordered)",
                0.001,
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="supplier_performance_summary",
        category="procurement",
        description=(
            "Each supplier per day: what was ordered from it, what it delivered and how "
            "punctually, with its scorecard of the month. A supplier has a row on a day with "
            "purchase orders placed or goods received.\n\n"
            "* total_orders / total_spent = count / sum(total_amount) of the non-cancelled "
            "purchase orders placed that day\n"
            "* payment_terms = `payment_terms_days` of the supplier (master.suppliers)\n"
            "* deliveries_received = goods receipts that day (UTC day of `received_at`)\n"
            "* **on_time_delivery_ratio = receipts received on or before their purchase "
            "order's due_date / deliveries_received** (NULL without receipts)\n"
            "* quality_rating, price_competitiveness, responsiveness_rating = the supplier's "
            "rating (0-5) of the month of the day (supplier.supplier_ratings), NULL until rated"
        ),
        extracts=(
            Extract(
                "erp",
                "supplier_performance_summary.sql",
                reads=("purchase_orders", "goods_receipts"),
            ),
            Extract(
                "master",
                "supplier_performance_summary.suppliers.sql",
                reads=("suppliers",),
                on=("supplier_id",),
                windowed=False,
            ),
            Extract(
                "supplier",
                "supplier_performance_summary.ratings.sql",
                reads=("supplier_ratings",),
                on=("date", "supplier_id"),
            ),
        ),
        ranges=(
            Range("total_orders", 0),
            Range("total_spent", 0),
            Range("payment_terms", 0),
            Range("deliveries_received", 0),
            Range("on_time_delivery_ratio", 0, 1),
            Range("quality_rating", 0, 5),
            Range("price_competitiveness", 0, 5),
            Range("responsiveness_rating", 0, 5),
        ),
        reconcile=(
            Reconcile(
                "total_spent",
                "erp",
                "supplier_performance_summary.total_spent.sql",
                "SUM(total_spent)",
            ),
            Reconcile(
                "deliveries",
                "erp",
                "supplier_performance_summary.deliveries.sql",
                "SUM(deliveries_received)",
                0,
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="purchase_price_variance",
        category="procurement",
        description=(
            "Purchase price variance: what was paid for each material from each supplier "
            "per order day against its standard cost. Cancelled purchase orders do not "
            "count.\n\n"
            "* standard_price = material standard cost valid on the order date (NULL without "
            "one; then the variances are NULL too)\n"
            "* **actual_price = sum(unit_price x quantity) / sum(quantity)** (quantity-weighted "
            "average unit price)\n"
            "* **unit_price_variance_ratio = (actual_price - standard_price) / standard_price**\n"
            "* quantity_ordered = sum(quantity)\n"
            "* **total_variance_amount = sum((unit_price - standard_price) x quantity)**; "
            "positive means paid above standard"
        ),
        extracts=(
            Extract("erp", "purchase_price_variance.sql", reads=(*PURCHASING, "standard_costs")),
        ),
        ranges=(
            Range("standard_price", 0),
            Range("actual_price", 0),
            Range("unit_price_variance_ratio", -1),
            Range("quantity_ordered", 0),
        ),
        reconcile=(
            Reconcile(
                "quantity_ordered",
                "erp",
                "purchase_price_variance.quantity_ordered.sql",
                "SUM(quantity_ordered)",
                0.001,
            ),
        ),
    ),
    TableSpec(
        target="reporting",
        name="delivery_performance_summary",
        category="procurement",
        description=(
            "How each supplier delivered per day of receipt (UTC day of the goods receipt's "
            "`received_at`): punctuality against the purchase order line's due date and the "
            "share accepted by incoming inspection.\n\n"
            "* total_deliveries = goods receipts; on_time_deliveries = those received on or "
            "before their PO line due_date\n"
            "* **on_time_delivery_ratio = on_time_deliveries / total_deliveries**\n"
            "* **average_days_late = avg(receipt day - line due_date)** over late receipts "
            "only (NULL when none was late)\n"
            "* **quality_acceptance_rate_ratio = quantity_accepted / quantity_received** (NULL "
            "when nothing was received)"
        ),
        extracts=(Extract("erp", "delivery_performance_summary.sql", reads=RECEIVING),),
        ranges=(
            Range("total_deliveries", 0),
            Range("on_time_deliveries", 0),
            Range("on_time_delivery_ratio", 0, 1),
            Range("average_days_late", 0),
            Range("quantity_received", 0),
            Range("quantity_accepted", 0),
            Range("quality_acceptance_rate_ratio", 0, 1),
        ),
        reconcile=(
            Reconcile(
                "deliveries",
                "erp",
                "delivery_performance_summary.deliveries.sql",
                "SUM(total_deliveries)",
                0,
            ),
            Reconcile(
                "quantity_received",
                "erp",
                "delivery_performance_summary.quantity_received.sql",
                "SUM(quantity_received)",
                0.001,
            ),
        ),
    ),
]
