-- Recognised revenue per customer and day (erp database), grouped by customer location in
-- Python after the customer lookup. Same recognition as revenue_by_product: ship date of
-- non-cancelled orders, cost = quantity x PRODUCT standard unit cost valid on the ship date.
-- cost is NULL for a customer-day if any of its lines has no valid standard cost.
WITH lines AS (
    SELECT o.ship_date AS date,
           o.customer_id,
           o.sales_order_id,
           l.line_amount,
           l.quantity * c.unit_cost AS cost
    FROM sales_orders o
    JOIN sales_order_lines l ON l.sales_order_id = o.sales_order_id
    LEFT JOIN LATERAL (
        SELECT sc.unit_cost
        FROM standard_costs sc
        WHERE sc.item_type = 'PRODUCT' AND sc.item_id = l.product_id
          AND sc.valid_from <= o.ship_date AND sc.valid_to > o.ship_date
        ORDER BY sc.valid_from DESC
        LIMIT 1
    ) c ON true
    WHERE o.ship_date >= %(start)s AND o.ship_date < %(end)s
      AND o.status <> 'CANCELLED'
)
SELECT date,
       customer_id::bigint                                              AS customer_id,
       sum(line_amount)                                                 AS revenue,
       CASE WHEN count(cost) = count(*) THEN sum(cost) END              AS cost,
       count(DISTINCT sales_order_id)                                   AS order_count
FROM lines
GROUP BY date, customer_id
