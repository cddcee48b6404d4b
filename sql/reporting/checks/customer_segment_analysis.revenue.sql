-- Value of the non-cancelled orders placed in the window (erp): every customer's revenue lands
-- in exactly one segment (UNASSIGNED without a CRM account).
SELECT coalesce(sum(total_amount), 0)
FROM sales_orders
WHERE order_date >= %(start)s AND order_date < %(end)s
  AND status <> 'CANCELLED'
