-- Purchase order line amounts of the window (erp).
SELECT coalesce(sum(l.line_amount), 0)
FROM purchase_orders p
JOIN purchase_order_lines l ON l.purchase_order_id = p.purchase_order_id
WHERE p.order_date >= %(start)s AND p.order_date < %(end)s
