-- Units inspected in the window (quality).
SELECT coalesce(sum(units_inspected), 0)
FROM inspections
WHERE inspected_at >= %(start)s AND inspected_at < %(end)s
