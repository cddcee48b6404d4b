-- Quantity planned on all the work orders planned to start in the window.
SELECT coalesce(sum(quantity_planned), 0) FROM work_orders
WHERE planned_start >= %(start)s AND planned_start < %(end)s
