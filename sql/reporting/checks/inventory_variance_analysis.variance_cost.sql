-- Value of the cycle count variances of the window at each count's unit cost (wms).
SELECT coalesce(sum(counted_quantity * unit_cost) - sum(system_quantity * unit_cost), 0)
FROM cycle_counts
WHERE counted_at >= %(start)s AND counted_at < %(end)s
