-- Quantity completed on work orders completed in the window (manufacturing).
SELECT coalesce(sum(quantity_completed), 0)
FROM work_orders
WHERE status IN ('COMPLETED', 'CLOSED') AND actual_end >= %(start)s AND actual_end < %(end)s
