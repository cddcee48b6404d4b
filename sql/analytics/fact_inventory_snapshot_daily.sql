-- End-of-day stock per material and warehouse for every day of the window (wms database).
-- Stock = all signed movements before the next midnight (UTC); history before the window
-- collapses into one opening row per item. Rows: items with stock or with movements that day.
WITH moves AS (
    SELECT material_id,
           warehouse_id,
           greatest((tx_ts AT TIME ZONE 'UTC')::date, %(start)s::date - 1) AS date,
           sum(quantity)                                                                 AS net,
           coalesce(sum(quantity) FILTER (WHERE tx_type IN ('RECEIPT', 'TRANSFER_IN')), 0) AS received,
           coalesce(-sum(quantity) FILTER (WHERE tx_type IN ('ISSUE', 'SCRAP', 'TRANSFER_OUT')), 0) AS issued,
           coalesce(sum(quantity) FILTER (WHERE tx_type = 'ADJUSTMENT'), 0)              AS adjusted,
           count(*)                                                                      AS movements
    FROM inventory_transactions
    WHERE tx_ts < %(end)s
    GROUP BY 1, 2, 3
),
item_days AS (
    SELECT material_id, warehouse_id, date,
           sum(net) AS net, sum(received) AS received, sum(issued) AS issued,
           sum(adjusted) AS adjusted, sum(movements) AS movements
    FROM (
        SELECT material_id, warehouse_id, date, net, received, issued, adjusted, movements
        FROM moves
        UNION ALL
        SELECT f.material_id, f.warehouse_id, d::date, 0, 0, 0, 0, 0
        FROM (SELECT material_id, warehouse_id, min(date) AS first_day
              FROM moves GROUP BY 1, 2) AS f
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
        WHERE d::date >= f.first_day
    ) AS u
    GROUP BY 1, 2, 3
),
levels AS (
    SELECT material_id, warehouse_id, date, received, issued, adjusted, net, movements,
           sum(net) OVER (PARTITION BY material_id, warehouse_id ORDER BY date) AS stock
    FROM item_days
)
SELECT date,
       material_id::bigint  AS material_id,
       warehouse_id::bigint AS warehouse_id,
       stock                AS quantity_on_hand,
       received             AS quantity_received,
       issued               AS quantity_issued,
       adjusted             AS quantity_adjusted,
       net                  AS net_movement,
       movements            AS movement_count
FROM levels
WHERE date >= %(start)s AND (stock <> 0 OR movements > 0)
