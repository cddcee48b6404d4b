-- Labour and parts cost of maintenance work orders completed in the window (maintenance).
SELECT coalesce(sum(labor_cost + parts_cost), 0)
FROM maintenance_work_orders
WHERE status = 'COMPLETED' AND completed_at >= %(start)s AND completed_at < %(end)s
