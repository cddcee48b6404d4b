-- Labour hours booked per line and work day (manufacturing database).
SELECT work_date           AS date,
       line_id::bigint     AS production_line_id,
       sum(hours)          AS labor_hours
FROM labor_transactions
WHERE work_date >= %(start)s AND work_date < %(end)s
GROUP BY 1, 2
