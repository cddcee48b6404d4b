-- Units returned in the year to date per customer and day of the window (service database).
-- A REJECTED return sent nothing back, so it does not count.
WITH days AS (
    SELECT generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day')::date AS date
)
SELECT d.date,
       r.customer_id::bigint AS customer_id,
       sum(r.quantity)       AS ytd_units_returned
FROM days d
JOIN returns r ON r.return_date >= date_trunc('year', d.date)::date AND r.return_date <= d.date
WHERE r.return_date >= date_trunc('year', %(start)s::date)::date AND r.return_date < %(end)s
  AND r.status <> 'REJECTED'
GROUP BY d.date, r.customer_id
