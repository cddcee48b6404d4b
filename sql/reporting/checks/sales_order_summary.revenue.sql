-- Value of the non-cancelled orders placed in the window (erp), straight from the headers.
SELECT coalesce(sum(total_amount), 0)
FROM sales_orders
WHERE order_date >= %(start)s AND order_date < %(end)s
  AND status <> 'CANCELLED'
