-- Sales order lines by order day (erp database). Cancelled orders keep their lines, flagged.
-- The standard cost is the PRODUCT standard cost valid on the order day.
SELECT o.order_date                                    AS date,
       l.sales_order_line_id::bigint                   AS sales_order_line_id,
       o.sales_order_id::bigint                        AS sales_order_id,
       o.order_number,
       l.line_no,
       o.customer_id::bigint                           AS customer_id,
       l.product_id::bigint                            AS product_id,
       o.factory_id::bigint                            AS factory_id,
       o.sales_rep_id::bigint                          AS sales_rep_id,
       o.status                                        AS order_status,
       o.payment_status,
       o.currency,
       (o.status = 'CANCELLED')::int                   AS is_cancelled,
       o.requested_delivery_date,
       o.promised_delivery_date,
       l.quantity,
       l.unit_price,
       l.discount_pct / 100.0                          AS discount_ratio,
       l.quantity * l.unit_price                       AS gross_amount,
       l.line_amount,
       c.unit_cost                                     AS standard_unit_cost,
       l.quantity * c.unit_cost                        AS cost_amount,
       l.line_amount - l.quantity * c.unit_cost        AS margin_amount
FROM sales_orders o
JOIN sales_order_lines l ON l.sales_order_id = o.sales_order_id
LEFT JOIN LATERAL (
    SELECT sc.unit_cost
    FROM standard_costs sc
    WHERE sc.item_type = 'PRODUCT' AND sc.item_id = l.product_id
      AND sc.valid_from <= o.order_date AND o.order_date < sc.valid_to
    ORDER BY sc.valid_from DESC
    LIMIT 1
) c ON true
WHERE o.order_date >= %(start)s AND o.order_date < %(end)s
