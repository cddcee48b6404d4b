-- Units and line amounts ordered per month and product (erp database); cancelled orders never
-- count. The window of a monthly partition starts on the first of a month.
SELECT date_trunc('month', o.order_date)::date   AS period_month,
       l.product_id::bigint                      AS product_id,
       sum(l.quantity)                           AS actual_units,
       sum(l.line_amount)                        AS actual_revenue
FROM sales_orders o
JOIN sales_order_lines l ON l.sales_order_id = o.sales_order_id
WHERE o.order_date >= %(start)s AND o.order_date < %(end)s
  AND o.status <> 'CANCELLED'
GROUP BY 1, 2
