-- Each supplier's latest monthly overall score (0-5) on each day of the window (supplier): the
-- scorecard of the day's month, or the latest earlier one while that month is not yet rated.
SELECT DISTINCT ON (d::date, r.supplier_id)
       d::date AS date,
       r.supplier_id::bigint AS supplier_id,
       r.overall_score
FROM generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
JOIN supplier_ratings AS r ON r.period_month <= d::date
ORDER BY d::date, r.supplier_id, r.period_month DESC
