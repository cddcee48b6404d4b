-- Revenue of the window straight from erp: line amounts of orders not cancelled.
SELECT coalesce(sum(l.line_amount), 0)
FROM sales_orders o
JOIN sales_order_lines l ON l.sales_order_id = o.sales_order_id
WHERE o.order_date >= %(start)s AND o.order_date < %(end)s AND o.status <> 'CANCELLED'
