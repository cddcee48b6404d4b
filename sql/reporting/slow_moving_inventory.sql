-- Slow-moving materials on each day of the window (wms): total stock over all warehouses at the
-- end of the day is above 0 and the last ISSUE (any warehouse, up to the end of the day) is more
-- than 90 days before the day, or there was none. History is read once: movements before the
-- window collapse into one opening row per material (keeping the day of its last issue), plus
-- one row per window day once the material exists, rolled up with window frames.
WITH moves AS (
    SELECT material_id,
           greatest((tx_ts AT TIME ZONE 'UTC')::date, %(start)s::date - 1) AS date,
           sum(quantity) AS net,
           max((tx_ts AT TIME ZONE 'UTC')::date) FILTER (WHERE tx_type = 'ISSUE') AS last_issue
    FROM inventory_transactions
    WHERE tx_ts < %(end)s
    GROUP BY 1, 2
),
material_days AS (
    SELECT material_id, date, sum(net) AS net, max(last_issue) AS last_issue
    FROM (
        SELECT material_id, date, net, last_issue
        FROM moves
        UNION ALL
        SELECT f.material_id, d::date, 0, NULL::date
        FROM (SELECT material_id, min(date) AS first_day FROM moves GROUP BY 1) AS f
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
        WHERE d::date >= f.first_day
    ) AS u
    GROUP BY 1, 2
),
levels AS (
    SELECT material_id, date,
           sum(net) OVER material_by_day AS stock,
           max(last_issue) OVER material_by_day AS last_issue
    FROM material_days
    WINDOW material_by_day AS (PARTITION BY material_id ORDER BY date)
)
SELECT date,
       material_id::bigint AS material_id,
       stock AS quantity_on_hand,
       last_issue AS last_movement_date,
       date - last_issue AS days_since_movement,
       CASE WHEN last_issue IS NULL OR date - last_issue > 365 THEN 'WRITE_OFF'
            WHEN date - last_issue > 180 THEN 'DISCOUNT'
            ELSE 'REVIEW'
       END AS recommended_action
FROM levels
WHERE date >= %(start)s
  AND stock > 0
  AND (last_issue IS NULL OR date - last_issue > 90)
