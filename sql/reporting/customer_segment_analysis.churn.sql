-- Accounts and churn per segment and day of the window (crm database), UTC days:
-- customer_count = accounts not churned at the end of the day; churn rate = accounts churned
-- in the 30 days ending on the day / accounts not churned at the end of the day 30 days earlier.
WITH days AS (
    SELECT generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day')::date AS date
),
counts AS (
    SELECT d.date,
           a.segment,
           count(*) FILTER (WHERE a.churned_at IS NULL OR a.churned_at >= d.date + 1)
               AS customer_count,
           count(*) FILTER (WHERE a.churned_at >= d.date - 29 AND a.churned_at < d.date + 1)
               AS churned_30d,
           count(*) FILTER (WHERE a.churned_at IS NULL OR a.churned_at >= d.date - 29)
               AS accounts_30d_ago
    FROM days d
    CROSS JOIN customer_accounts a
    GROUP BY d.date, a.segment
)
SELECT date,
       segment,
       customer_count,
       churned_30d::numeric / nullif(accounts_30d_ago, 0) AS churn_rate_ratio
FROM counts
