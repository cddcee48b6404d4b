-- Sum over the snapshot days of the window of each active customer's trailing-365-day revenue,
-- computed line by line (analytics): a non-cancelled line of day x counts once for every
-- snapshot day d of the window with x <= d < x + 365.
SELECT COALESCE(SUM(line_amount * GREATEST(0, DATEDIFF(
           LEAST(DATE_ADD(date, INTERVAL 365 DAY), %(end)s), GREATEST(date, %(start)s)))), 0)
FROM fact_sales_order_line
WHERE is_cancelled = 0 AND date < %(end)s AND date > DATE_SUB(%(start)s, INTERVAL 365 DAY)
