-- Stock level per material and warehouse at the end of each day of the window (wms).
-- Stock = all signed movements before the next midnight (UTC). History is read once: movements
-- older than the 30-day look-back collapse into one opening row per item (dated the day before
-- the look-back), the rest stay daily, plus one row per window day once the item exists (its
-- first movement); window frames roll them up, so each day's values equal a single-day run's.
-- Issues = ISSUE + SCRAP + TRANSFER_OUT (what depletes a warehouse). Rows: items with stock, a
-- movement that day, or a stocking policy (so a stock-out stays visible).
WITH moves AS (
    SELECT material_id,
           warehouse_id,
           greatest((tx_ts AT TIME ZONE 'UTC')::date, %(start)s::date - 30) AS date,
           sum(quantity) AS net,
           coalesce(sum(-quantity) FILTER (
               WHERE tx_type IN ('ISSUE', 'SCRAP', 'TRANSFER_OUT')), 0) AS issued
    FROM inventory_transactions
    WHERE tx_ts < %(end)s
    GROUP BY 1, 2, 3
),
item_days AS (
    SELECT material_id, warehouse_id, date,
           sum(net) AS net, sum(issued) AS issued, bool_or(moved) AS moved
    FROM (
        SELECT material_id, warehouse_id, date, net, issued, true AS moved
        FROM moves
        UNION ALL
        SELECT f.material_id, f.warehouse_id, d::date, 0, 0, false
        FROM (SELECT material_id, warehouse_id, min(date) AS first_day
              FROM moves GROUP BY 1, 2) AS f
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
        WHERE d::date >= f.first_day
    ) AS u
    GROUP BY 1, 2, 3
),
levels AS (
    SELECT material_id, warehouse_id, date, moved,
           sum(net) OVER item_by_day AS stock,
           sum(issued) OVER (item_by_day RANGE BETWEEN interval '29 days' PRECEDING
                                               AND CURRENT ROW) AS issued_30d
    FROM item_days
    WINDOW item_by_day AS (PARTITION BY material_id, warehouse_id ORDER BY date)
),
-- ABC: each material's share of the company's ISSUE value (quantity x transaction unit cost)
-- over the 365 days ending with the day; A while the materials ranked above it hold < 0.80 of the total,
-- B while < 0.95, else C (also when it had no issue value).
consumption AS (
    SELECT material_id,
           (tx_ts AT TIME ZONE 'UTC')::date AS date,
           sum(-quantity * unit_cost) AS value
    FROM inventory_transactions
    WHERE tx_type = 'ISSUE' AND tx_ts >= %(start)s::date - 364 AND tx_ts < %(end)s
    GROUP BY 1, 2
),
usage_365 AS (
    SELECT d::date AS date, c.material_id, sum(c.value) AS value
    FROM generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
    JOIN consumption AS c ON c.date > d::date - 365 AND c.date <= d::date
    GROUP BY 1, 2
    HAVING sum(c.value) > 0
),
abc AS (
    SELECT date, material_id,
           coalesce(sum(value) OVER ranked_above, 0) / sum(value) OVER (PARTITION BY date)
               AS share_above
    FROM usage_365
    WINDOW ranked_above AS (PARTITION BY date ORDER BY value DESC, material_id
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
)
SELECT l.date,
       l.material_id::bigint AS material_id,
       l.warehouse_id::bigint AS warehouse_id,
       b.reorder_point,
       b.safety_stock,
       l.stock AS current_stock,
       l.issued_30d / 30.0 AS average_daily_issues,
       CASE WHEN l.issued_30d > 0 THEN l.stock / (l.issued_30d / 30.0) END AS days_of_supply,
       CASE WHEN b.material_id IS NULL THEN NULL
            WHEN l.stock <= b.safety_stock THEN 1
            WHEN l.stock >= b.reorder_point THEN 0
            ELSE (b.reorder_point - l.stock) / (b.reorder_point - b.safety_stock)
       END AS stockout_risk_ratio,
       CASE WHEN a.share_above < 0.80 THEN 'A'
            WHEN a.share_above < 0.95 THEN 'B'
            ELSE 'C'
       END AS abc_class
FROM levels AS l
LEFT JOIN inventory_balances AS b
       ON b.material_id = l.material_id AND b.warehouse_id = l.warehouse_id
LEFT JOIN abc AS a ON a.date = l.date AND a.material_id = l.material_id
WHERE l.date >= %(start)s
  AND (l.stock <> 0 OR l.moved OR b.reorder_point > 0 OR b.safety_stock > 0)
