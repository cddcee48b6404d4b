-- Amount of the non-cancelled order lines shipped in the window (erp), without any cost join.
SELECT coalesce(sum(l.line_amount), 0)
FROM sales_order_lines l
WHERE l.sales_order_id IN (
    SELECT sales_order_id FROM sales_orders
    WHERE ship_date >= %(start)s AND ship_date < %(end)s AND status <> 'CANCELLED'
)
