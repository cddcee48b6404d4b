-- Units on the lines of all purchase orders placed in the window (erp).
SELECT coalesce(sum(l.quantity), 0)
FROM purchase_order_lines l
JOIN purchase_orders p ON p.purchase_order_id = l.purchase_order_id
WHERE p.order_date >= %(start)s AND p.order_date < %(end)s
