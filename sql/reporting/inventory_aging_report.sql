-- FIFO age buckets of each material's stock over all warehouses at the end of each day (wms).
-- The stock on hand is taken to be the newest inbound quantities (every positive movement:
-- receipts, transfers in, positive adjustments); outbound quantities consume the oldest first.
-- So the stock received at least N days before the day is
--     max(0, inbound up to the day N days back - all outbound up to the day),
-- and the buckets are differences of that for N = 31, 61, 91. History is read once: movements
-- older than the 91-day look-back collapse into one opening row per material, the rest stay
-- daily, plus one row per window day once the material exists. Rows: stock <> 0.
WITH moves AS (
    SELECT material_id,
           greatest((tx_ts AT TIME ZONE 'UTC')::date, %(start)s::date - 92) AS date,
           sum(quantity) AS net,
           coalesce(sum(quantity) FILTER (WHERE quantity > 0), 0) AS inbound
    FROM inventory_transactions
    WHERE tx_ts < %(end)s
    GROUP BY 1, 2
),
material_days AS (
    SELECT material_id, date, sum(net) AS net, sum(inbound) AS inbound
    FROM (
        SELECT material_id, date, net, inbound
        FROM moves
        UNION ALL
        SELECT f.material_id, d::date, 0, 0
        FROM (SELECT material_id, min(date) AS first_day FROM moves GROUP BY 1) AS f
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
        WHERE d::date >= f.first_day
    ) AS u
    GROUP BY 1, 2
),
levels AS (
    SELECT material_id, date,
           sum(net) OVER material_by_day AS stock,
           sum(inbound) OVER material_by_day - sum(net) OVER material_by_day AS outbound,
           coalesce(sum(inbound) OVER (material_by_day RANGE BETWEEN UNBOUNDED PRECEDING
                                                           AND interval '31 days' PRECEDING), 0)
               AS inbound_31,
           coalesce(sum(inbound) OVER (material_by_day RANGE BETWEEN UNBOUNDED PRECEDING
                                                           AND interval '61 days' PRECEDING), 0)
               AS inbound_61,
           coalesce(sum(inbound) OVER (material_by_day RANGE BETWEEN UNBOUNDED PRECEDING
                                                           AND interval '91 days' PRECEDING), 0)
               AS inbound_91
    FROM material_days
    WINDOW material_by_day AS (PARTITION BY material_id ORDER BY date)
),
aged AS (
    SELECT date, material_id, stock,
           greatest(0, inbound_31 - outbound) AS over_30,
           greatest(0, inbound_61 - outbound) AS over_60,
           greatest(0, inbound_91 - outbound) AS over_90
    FROM levels
    WHERE date >= %(start)s AND stock <> 0
)
SELECT date,
       material_id::bigint AS material_id,
       stock - over_30 AS age_0_30_days_qty,
       over_30 - over_60 AS age_31_60_days_qty,
       over_60 - over_90 AS age_61_90_days_qty,
       over_90 AS age_90plus_qty,
       stock AS total_quantity
FROM aged
