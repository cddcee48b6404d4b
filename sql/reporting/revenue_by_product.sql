-- Recognised revenue per product and day (erp database). Revenue is recognised on the ship
-- date of the sales order; cancelled orders never count. Cost of goods is the quantity times
-- the PRODUCT standard unit cost valid on the ship date (valid_from <= day < valid_to; the
-- latest valid_from wins if ranges overlap), NULL when the product has no valid standard cost.
WITH shipped AS (
    SELECT o.ship_date          AS date,
           l.product_id,
           sum(l.quantity)      AS units_sold,
           sum(l.line_amount)   AS revenue
    FROM sales_orders o
    JOIN sales_order_lines l ON l.sales_order_id = o.sales_order_id
    WHERE o.ship_date >= %(start)s AND o.ship_date < %(end)s
      AND o.status <> 'CANCELLED'
    GROUP BY o.ship_date, l.product_id
)
SELECT s.date,
       s.product_id::bigint                              AS product_id,
       s.units_sold,
       s.revenue,
       s.units_sold * c.unit_cost                        AS cost_of_goods,
       s.revenue - s.units_sold * c.unit_cost            AS gross_margin,
       (s.revenue - s.units_sold * c.unit_cost) / nullif(s.revenue, 0) AS margin_ratio
FROM shipped s
LEFT JOIN LATERAL (
    SELECT sc.unit_cost
    FROM standard_costs sc
    WHERE sc.item_type = 'PRODUCT' AND sc.item_id = s.product_id
      AND sc.valid_from <= s.date AND sc.valid_to > s.date
    ORDER BY sc.valid_from DESC
    LIMIT 1
) c ON true
