-- Cycle count variances per material, warehouse and UTC day of counted_at (wms). Several counts
-- of the same item on one day are summed (system and counted quantities, and each count's
-- variance x its own unit cost); the root cause is the one of the latest count that recorded one.
SELECT (counted_at AT TIME ZONE 'UTC')::date AS date,
       material_id::bigint AS material_id,
       warehouse_id::bigint AS warehouse_id,
       count(*) AS counts_taken,
       sum(system_quantity) AS system_quantity,
       sum(counted_quantity) AS physical_count,
       sum(counted_quantity - system_quantity) AS variance_quantity,
       sum(counted_quantity - system_quantity) / nullif(sum(system_quantity), 0) AS variance_ratio,
       sum((counted_quantity - system_quantity) * unit_cost) AS variance_cost,
       (array_agg(left(root_cause, 255) ORDER BY counted_at DESC, cycle_count_id DESC)
            FILTER (WHERE root_cause IS NOT NULL))[1] AS root_cause
FROM cycle_counts
WHERE counted_at >= %(start)s AND counted_at < %(end)s
GROUP BY 1, 2, 3
