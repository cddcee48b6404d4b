-- Sales per product and order day (erp database); cancelled orders never count. Margin uses
-- the PRODUCT standard unit cost valid on the order day (NULL for the day as soon as one line
-- lacks it). The trend compares with the same product 28 days earlier, so the query looks back
-- 28 days before the window and every day's values are independent of the window.
WITH lines AS (
    SELECT o.order_date                AS date,
           l.product_id,
           l.quantity,
           l.line_amount,
           l.quantity * c.unit_cost    AS standard_cost
    FROM sales_orders o
    JOIN sales_order_lines l ON l.sales_order_id = o.sales_order_id
    LEFT JOIN LATERAL (
        SELECT sc.unit_cost
        FROM standard_costs sc
        WHERE sc.item_type = 'PRODUCT' AND sc.item_id = l.product_id
          AND sc.valid_from <= o.order_date AND sc.valid_to > o.order_date
        ORDER BY sc.valid_from DESC
        LIMIT 1
    ) c ON true
    WHERE o.order_date >= %(start)s::date - 28 AND o.order_date < %(end)s
      AND o.status <> 'CANCELLED'
),
daily AS (
    SELECT date,
           product_id,
           sum(quantity)      AS units_sold,
           sum(line_amount)   AS revenue_total,
           CASE WHEN count(standard_cost) = count(*)
                THEN sum(line_amount) - sum(standard_cost) END AS margin_amount
    FROM lines
    GROUP BY date, product_id
)
SELECT d.date,
       d.product_id::bigint                                   AS product_id,
       d.units_sold,
       d.revenue_total,
       d.revenue_total / nullif(d.units_sold, 0)              AS average_price,
       d.margin_amount,
       d.margin_amount / nullif(d.revenue_total, 0)           AS margin_ratio,
       (d.revenue_total - m.revenue_total) / nullif(m.revenue_total, 0) AS trend_vs_month_ago_ratio
FROM daily d
LEFT JOIN daily m ON m.product_id = d.product_id AND m.date = d.date - 28
WHERE d.date >= %(start)s
