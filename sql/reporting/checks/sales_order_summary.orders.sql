-- Orders placed in the window (erp), cancelled ones included: every order has a row.
SELECT count(*)
FROM sales_orders
WHERE order_date >= %(start)s AND order_date < %(end)s
