-- Units on the non-cancelled orders placed in the window (erp), without grouping.
SELECT coalesce(sum(l.quantity), 0)
FROM sales_order_lines l
WHERE EXISTS (
    SELECT 1 FROM sales_orders o
    WHERE o.sales_order_id = l.sales_order_id
      AND o.order_date >= %(start)s AND o.order_date < %(end)s
      AND o.status <> 'CANCELLED'
)
