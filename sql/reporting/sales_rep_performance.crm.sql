-- Per rep and day of the window (crm database): name, commission rate, the monthly target
-- spread evenly over the days of its month, and the win rate of the opportunities closed in the
-- 30 days ending on the day (UTC), looked back explicitly so each day is independent.
WITH days AS (
    SELECT generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day')::date AS date
),
closed AS (
    SELECT (closed_at AT TIME ZONE 'UTC')::date AS closed_on, sales_rep_id, stage
    FROM opportunities
    WHERE stage IN ('CLOSED_WON', 'CLOSED_LOST')
      AND closed_at >= %(start)s::date - 29 AND closed_at < %(end)s
),
win_rates AS (
    SELECT d.date,
           c.sales_rep_id,
           count(*) FILTER (WHERE c.stage = 'CLOSED_WON')::numeric / count(*) AS win_rate_ratio
    FROM days d
    JOIN closed c ON c.closed_on > d.date - 30 AND c.closed_on <= d.date
    GROUP BY d.date, c.sales_rep_id
)
SELECT d.date,
       r.sales_rep_id::bigint AS salesperson_id,
       r.rep_name,
       r.commission_rate,
       t.target_amount
         / extract(day FROM date_trunc('month', d.date) + interval '1 month - 1 day')
                              AS daily_target_amount,
       w.win_rate_ratio
FROM days d
CROSS JOIN sales_reps r
LEFT JOIN sales_targets t
       ON t.sales_rep_id = r.sales_rep_id AND t.period_month = date_trunc('month', d.date)::date
LEFT JOIN win_rates w ON w.date = d.date AND w.sales_rep_id = r.sales_rep_id
