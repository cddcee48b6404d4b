-- Daily RFM snapshot (genims_analytics_db.fact_sales_order_line). For every day of the window
-- and every customer with a non-cancelled order in the 365 days ending with it: recency (days
-- since the last order), frequency (orders) and monetary value (net revenue). Each is scored
-- 1..5 by its cumulative distribution among that day's customers, CEIL(5 x CUME_DIST), so
-- ties share a score and 5 is best (most recent, most orders, most revenue).
WITH RECURSIVE days AS (
    SELECT CAST(%(start)s AS DATE) AS snapshot_day
    UNION ALL
    SELECT snapshot_day + INTERVAL 1 DAY FROM days WHERE snapshot_day + INTERVAL 1 DAY < %(end)s
),
customer_days AS (
    SELECT date, customer_id,
           COUNT(DISTINCT sales_order_id) AS orders,
           SUM(line_amount)               AS revenue
    FROM fact_sales_order_line
    WHERE is_cancelled = 0
      AND date > DATE_SUB(%(start)s, INTERVAL 365 DAY) AND date < %(end)s
    GROUP BY date, customer_id
),
snapshot AS (
    SELECT d.snapshot_day, c.customer_id,
           MAX(c.date)    AS last_order_date,
           SUM(c.orders)  AS frequency_orders,
           SUM(c.revenue) AS monetary_amount
    FROM days d
    JOIN customer_days c ON c.date <= d.snapshot_day AND c.date > DATE_SUB(d.snapshot_day, INTERVAL 365 DAY)
    GROUP BY d.snapshot_day, c.customer_id
),
scored AS (
    SELECT snapshot_day, customer_id, last_order_date, frequency_orders, monetary_amount,
           DATEDIFF(snapshot_day, last_order_date)                                           AS recency_days,
           CEIL(5 * CUME_DIST() OVER (PARTITION BY snapshot_day ORDER BY last_order_date))   AS recency_score,
           CEIL(5 * CUME_DIST() OVER (PARTITION BY snapshot_day ORDER BY frequency_orders))  AS frequency_score,
           CEIL(5 * CUME_DIST() OVER (PARTITION BY snapshot_day ORDER BY monetary_amount))   AS monetary_score
    FROM snapshot
)
SELECT snapshot_day AS date, customer_id, last_order_date, recency_days, frequency_orders,
       monetary_amount, recency_score, frequency_score, monetary_score,
       CONCAT(recency_score, frequency_score, monetary_score) AS rfm_score,
       CASE WHEN recency_score >= 4 AND frequency_score >= 4 AND monetary_score >= 4 THEN 'CHAMPIONS'
            WHEN recency_score <= 2 AND frequency_score >= 3 THEN 'AT_RISK'
            WHEN recency_score <= 2 THEN 'HIBERNATING'
            WHEN frequency_score >= 4 THEN 'LOYAL'
            WHEN recency_score >= 4 THEN 'PROMISING'
            ELSE 'NEEDS_ATTENTION' END AS rfm_segment
FROM scored
