-- The monthly scorecard of each supplier for every day of the window (supplier database).
WITH days AS (
    SELECT generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day')::date AS date
)
SELECT d.date,
       r.supplier_id::bigint AS supplier_id,
       r.quality_rating,
       r.price_competitiveness,
       r.responsiveness_rating
FROM days d
JOIN supplier_ratings r ON r.period_month = date_trunc('month', d.date)::date
