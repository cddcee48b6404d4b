-- One row per sales order (erp database), dated by its order date. Cancelled orders keep their
-- row. Margin = line amounts - quantity x the PRODUCT standard unit cost valid on the order
-- date (valid_from <= order_date < valid_to; the latest valid_from wins if ranges overlap); it
-- is unknown (NULL) as soon as one line has no such cost, rather than overstated.
WITH orders AS (
    SELECT *
    FROM sales_orders
    WHERE order_date >= %(start)s AND order_date < %(end)s
),
costed_lines AS (
    SELECT l.sales_order_id,
           l.line_amount,
           l.quantity * c.unit_cost AS standard_cost
    FROM orders o
    JOIN sales_order_lines l ON l.sales_order_id = o.sales_order_id
    LEFT JOIN LATERAL (
        SELECT sc.unit_cost
        FROM standard_costs sc
        WHERE sc.item_type = 'PRODUCT' AND sc.item_id = l.product_id
          AND sc.valid_from <= o.order_date AND sc.valid_to > o.order_date
        ORDER BY sc.valid_from DESC
        LIMIT 1
    ) c ON true
),
margins AS (
    SELECT o.sales_order_id,
           CASE WHEN count(l.standard_cost) = count(l.sales_order_id)
                THEN coalesce(sum(l.line_amount), 0) - coalesce(sum(l.standard_cost), 0)
           END AS margin_amount
    FROM orders o
    LEFT JOIN costed_lines l ON l.sales_order_id = o.sales_order_id
    GROUP BY o.sales_order_id
)
SELECT o.order_date                                        AS date,
       o.sales_order_id::bigint                            AS sales_order_id,
       o.order_number,
       o.order_date,
       o.delivery_date,
       o.customer_id::bigint                               AS customer_id,
       o.sales_rep_id::bigint                              AS salesperson_id,
       o.factory_id::bigint                                AS factory_id,
       o.total_amount,
       m.margin_amount,
       m.margin_amount / nullif(o.total_amount, 0)         AS margin_ratio,
       o.status,
       o.payment_status
FROM orders o
JOIN margins m ON m.sales_order_id = o.sales_order_id
