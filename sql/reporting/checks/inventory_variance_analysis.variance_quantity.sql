-- Counted minus expected quantity of all cycle counts taken in the window (wms).
SELECT coalesce(sum(counted_quantity), 0) - coalesce(sum(system_quantity), 0)
FROM cycle_counts
WHERE counted_at >= %(start)s AND counted_at < %(end)s
