-- Sum over the window's days of the CRM accounts not churned at the end of each day (crm),
-- counted per account rather than per segment.
SELECT coalesce(sum(
    (least(coalesce((a.churned_at AT TIME ZONE 'UTC')::date, %(end)s::date), %(end)s::date)
     - %(start)s::date)
), 0)
FROM customer_accounts a
WHERE a.churned_at IS NULL OR a.churned_at >= %(start)s
