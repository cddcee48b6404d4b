-- Revenue and standard cost of goods of what each factory shipped, per ship date (erp
-- database). Cancelled orders never count. The cost of a line is its quantity times the PRODUCT
-- standard unit cost valid on the ship date (valid_from <= day < valid_to; the latest
-- valid_from wins if ranges overlap); one uncosted line makes the day's cost unknown (NULL)
-- rather than silently low.
WITH shipped AS (
    SELECT o.ship_date                  AS date,
           o.factory_id,
           o.sales_order_id,
           l.line_amount,
           l.quantity * c.unit_cost     AS line_cost
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
       factory_id::bigint                                          AS factory_id,
       count(DISTINCT sales_order_id)                              AS orders_shipped,
       sum(line_amount)                                            AS total_revenue,
       CASE WHEN bool_and(line_cost IS NOT NULL) THEN sum(line_cost) END AS cost_of_goods
FROM shipped
GROUP BY 1, 2
