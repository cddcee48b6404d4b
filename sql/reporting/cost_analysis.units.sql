-- Units completed per factory and day (manufacturing database): quantity_completed of the work
-- orders whose actual_end falls on the UTC day.
SELECT (actual_end AT TIME ZONE 'UTC')::date AS date,
       factory_id::bigint                    AS factory_id,
       sum(quantity_completed)::bigint       AS units_produced
FROM work_orders
WHERE actual_end >= %(start)s AND actual_end < %(end)s
GROUP BY 1, 2
