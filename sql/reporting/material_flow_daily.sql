-- Daily flow of each material per warehouse (wms); the table's derive rolls warehouses up to their
-- factory. Receipts = RECEIPT + TRANSFER_IN, issues = ISSUE + SCRAP + TRANSFER_OUT (positive),
-- adjustments = ADJUSTMENT (signed); the balance is all signed movements before the next
-- midnight (UTC) and the usage is the issues of the 30 days ending with the day / 30. History is
-- read once: movements older than the 30-day look-back collapse into one opening row per item,
-- the rest stay daily, plus one row per window day once the item exists.
-- Rows: items with stock or with a movement in the 30 days ending with the day.
WITH moves AS (
    SELECT material_id,
           warehouse_id,
           greatest((tx_ts AT TIME ZONE 'UTC')::date, %(start)s::date - 30) AS date,
           sum(quantity) AS net,
           coalesce(sum(quantity) FILTER (
               WHERE tx_type IN ('RECEIPT', 'TRANSFER_IN')), 0) AS receipts,
           coalesce(sum(-quantity) FILTER (
               WHERE tx_type IN ('ISSUE', 'SCRAP', 'TRANSFER_OUT')), 0) AS issues,
           coalesce(sum(quantity) FILTER (WHERE tx_type = 'ADJUSTMENT'), 0) AS adjustments
    FROM inventory_transactions
    WHERE tx_ts < %(end)s
    GROUP BY 1, 2, 3
),
item_days AS (
    SELECT material_id, warehouse_id, date,
           sum(net) AS net, sum(receipts) AS receipts, sum(issues) AS issues,
           sum(adjustments) AS adjustments, count(*) FILTER (WHERE moved) AS moved
    FROM (
        SELECT material_id, warehouse_id, date, net, receipts, issues, adjustments, true AS moved
        FROM moves
        UNION ALL
        SELECT f.material_id, f.warehouse_id, d::date, 0, 0, 0, 0, false
        FROM (SELECT material_id, warehouse_id, min(date) AS first_day
              FROM moves GROUP BY 1, 2) AS f
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
        WHERE d::date >= f.first_day
    ) AS u
    GROUP BY 1, 2, 3
),
flows AS (
    SELECT material_id, warehouse_id, date, receipts, issues, adjustments,
           sum(net) OVER item_by_day AS balance,
           sum(issues) OVER last_30_days AS issues_30d,
           sum(moved) OVER last_30_days AS moved_30d
    FROM item_days
    WINDOW item_by_day AS (PARTITION BY material_id, warehouse_id ORDER BY date),
           last_30_days AS (item_by_day RANGE BETWEEN interval '29 days' PRECEDING AND CURRENT ROW)
)
SELECT date,
       material_id::bigint AS material_id,
       warehouse_id::bigint AS warehouse_id,
       receipts AS receipts_qty,
       issues AS issues_qty,
       adjustments AS adjustments_qty,
       balance AS ending_balance,
       issues_30d / 30.0 AS average_daily_usage
FROM flows
WHERE date >= %(start)s AND (balance <> 0 OR moved_30d > 0)
