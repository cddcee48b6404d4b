-- Quantity planned on the non-cancelled work orders planned to start in the window.
SELECT coalesce(sum(quantity_planned), 0) FROM work_orders
WHERE planned_start >= %(start)s AND planned_start < %(end)s AND status <> 'CANCELLED'
