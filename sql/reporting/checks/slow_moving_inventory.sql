-- Stock of slow-moving materials summed over the days of the window (wms), day by day: materials
-- whose total stock at the end of the day is above 0 and without any ISSUE in the 91 days
-- ending with the day (so the last issue, if any, is more than 90 days old).
SELECT coalesce(sum(s.stock), 0)
FROM generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS g(d)
CROSS JOIN LATERAL (
    SELECT t.material_id, sum(t.quantity) AS stock
    FROM inventory_transactions AS t
    WHERE t.tx_ts < g.d::date + 1
    GROUP BY t.material_id
    HAVING sum(t.quantity) > 0
) AS s
WHERE NOT EXISTS (
    SELECT 1
    FROM inventory_transactions AS i
    WHERE i.material_id = s.material_id
      AND i.tx_type = 'ISSUE'
      AND i.tx_ts >= g.d::date - 90
      AND i.tx_ts < g.d::date + 1
)
