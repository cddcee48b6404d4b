-- Material consumed and scrapped per material, factory and UTC day of consumption
-- (manufacturing database). Costs are summed per consumption before the average unit cost is
-- taken, so it is weighted by quantity.
SELECT (consumed_at AT TIME ZONE 'UTC')::date                    AS date,
       material_id::bigint                                       AS material_id,
       factory_id::bigint                                        AS factory_id,
       sum(quantity)                                             AS quantity_consumed,
       sum(quantity * unit_cost)                                 AS cost_consumed,
       sum(quantity * unit_cost) / nullif(sum(quantity), 0)      AS unit_cost,
       sum(scrap_quantity)                                       AS scrap_quantity,
       sum(scrap_quantity * unit_cost)                           AS scrap_cost
FROM material_consumption
WHERE consumed_at >= %(start)s AND consumed_at < %(end)s
GROUP BY 1, 2, 3
