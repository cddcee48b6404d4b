-- Value of all purchase orders placed in the window (erp), cancelled ones included.
SELECT coalesce(sum(total_amount), 0)
FROM purchase_orders
WHERE order_date >= %(start)s AND order_date < %(end)s
