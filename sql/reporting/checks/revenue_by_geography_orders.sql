-- Non-cancelled orders with lines shipped in the window (erp); an order has one customer and
-- one ship date, so it counts once in the table.
SELECT count(*)
FROM sales_orders o
WHERE o.ship_date >= %(start)s AND o.ship_date < %(end)s
  AND o.status <> 'CANCELLED'
  AND EXISTS (SELECT 1 FROM sales_order_lines l WHERE l.sales_order_id = o.sales_order_id)
