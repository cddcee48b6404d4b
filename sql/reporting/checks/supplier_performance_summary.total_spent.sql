-- Value of the non-cancelled purchase orders placed in the window (erp).
SELECT coalesce(sum(total_amount), 0)
FROM purchase_orders
WHERE order_date >= %(start)s AND order_date < %(end)s
  AND status <> 'CANCELLED'
