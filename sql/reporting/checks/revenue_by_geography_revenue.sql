-- Revenue of the window from the order headers' lines (erp): line amounts of non-cancelled
-- orders shipped in the window, whatever the customer (a customer missing from master data
-- still counts, under UNKNOWN).
SELECT coalesce(sum(l.line_amount), 0)
FROM sales_orders o
JOIN sales_order_lines l ON l.sales_order_id = o.sales_order_id
WHERE o.ship_date >= %(start)s AND o.ship_date < %(end)s
  AND o.status <> 'CANCELLED'
