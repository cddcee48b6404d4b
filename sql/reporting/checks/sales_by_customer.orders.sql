-- Non-cancelled orders placed in the window (erp).
SELECT count(*)
FROM sales_orders
WHERE order_date >= %(start)s AND order_date < %(end)s
  AND status <> 'CANCELLED'
