-- Timesheet hours per factory and month (genims_analytics_db.fact_labor_timesheet).
SELECT CAST(DATE_FORMAT(date, '%%Y-%%m-01') AS DATE)   AS period_month,
       factory_id,
       SUM(total_hours)                                 AS labor_hours
FROM fact_labor_timesheet
WHERE date >= %(start)s AND date < %(end)s AND factory_id IS NOT NULL
GROUP BY 1, 2
