-- Line amounts of the non-cancelled orders shipped in the window (erp), without grouping.
SELECT coalesce(sum(l.line_amount), 0)
FROM sales_order_lines l
JOIN sales_orders o ON o.sales_order_id = l.sales_order_id
WHERE o.ship_date >= %(start)s AND o.ship_date < %(end)s
  AND o.status <> 'CANCELLED'
