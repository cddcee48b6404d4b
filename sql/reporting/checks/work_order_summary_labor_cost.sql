-- Labour cost ever booked on the work orders planned to start in the window.
SELECT coalesce(sum(t.labor_cost), 0)
FROM labor_transactions t
WHERE EXISTS (
    SELECT 1 FROM work_orders w
    WHERE w.work_order_id = t.work_order_id
      AND w.planned_start >= %(start)s AND w.planned_start < %(end)s
)
