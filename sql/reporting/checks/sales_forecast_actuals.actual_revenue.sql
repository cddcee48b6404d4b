-- Line amounts of the non-cancelled orders placed in the window's months (erp), ungrouped.
SELECT coalesce(sum(l.line_amount), 0)
FROM sales_order_lines l
JOIN sales_orders o ON o.sales_order_id = l.sales_order_id
WHERE o.order_date >= %(start)s AND o.order_date < %(end)s
  AND o.status <> 'CANCELLED'
