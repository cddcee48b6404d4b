-- Order lines of the window in erp, cancelled included.
SELECT count(*)
FROM sales_orders o
JOIN sales_order_lines l ON l.sales_order_id = o.sales_order_id
WHERE o.order_date >= %(start)s AND o.order_date < %(end)s
