-- Stock per warehouse and material at the end of each day of the window (wms), with the issues of
-- the 30 days ending with the day and the part of the stock received more than 90 days ago.
-- Stock = all signed movements before the next midnight (UTC); issues = ISSUE + SCRAP +
-- TRANSFER_OUT. Aging is FIFO: the stock on hand is the newest inbound quantities (every positive
-- movement: receipts, transfers in, positive adjustments), so the stock older than 90 days is
-- max(0, inbound up to the day 91 days back - all outbound up to the day).
-- History is read once: movements older than the 91-day look-back collapse into one opening row
-- per item, the rest stay daily, plus one row per window day once the item exists.
-- Rows: items with stock or with issues in the 30 days (the rest adds nothing to a warehouse).
WITH moves AS (
    SELECT material_id,
           warehouse_id,
           greatest((tx_ts AT TIME ZONE 'UTC')::date, %(start)s::date - 92) AS date,
           sum(quantity) AS net,
           coalesce(sum(quantity) FILTER (WHERE quantity > 0), 0) AS inbound,
           coalesce(sum(-quantity) FILTER (
               WHERE tx_type IN ('ISSUE', 'SCRAP', 'TRANSFER_OUT')), 0) AS issued
    FROM inventory_transactions
    WHERE tx_ts < %(end)s
    GROUP BY 1, 2, 3
),
item_days AS (
    SELECT material_id, warehouse_id, date,
           sum(net) AS net, sum(inbound) AS inbound, sum(issued) AS issued
    FROM (
        SELECT material_id, warehouse_id, date, net, inbound, issued
        FROM moves
        UNION ALL
        SELECT f.material_id, f.warehouse_id, d::date, 0, 0, 0
        FROM (SELECT material_id, warehouse_id, min(date) AS first_day
              FROM moves GROUP BY 1, 2) AS f
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
        WHERE d::date >= f.first_day
    ) AS u
    GROUP BY 1, 2, 3
),
levels AS (
    SELECT material_id, warehouse_id, date,
           sum(net) OVER item_by_day AS stock,
           sum(inbound) OVER item_by_day AS inbound_to_date,
           coalesce(sum(inbound) OVER (item_by_day RANGE BETWEEN UNBOUNDED PRECEDING
                                                       AND interval '91 days' PRECEDING), 0)
               AS inbound_91_days_ago,
           sum(issued) OVER (item_by_day RANGE BETWEEN interval '29 days' PRECEDING
                                               AND CURRENT ROW) AS issued_30d
    FROM item_days
    WINDOW item_by_day AS (PARTITION BY material_id, warehouse_id ORDER BY date)
)
SELECT date,
       warehouse_id::bigint AS warehouse_id,
       material_id::bigint AS material_id,
       stock,
       issued_30d,
       greatest(0, inbound_91_days_ago - (inbound_to_date - stock)) AS stock_over_90_days
FROM levels
WHERE date >= %(start)s AND (stock <> 0 OR issued_30d <> 0)
