-- Faults started per factory and month, and the mean duration of those cleared
-- (genims_analytics_db.fact_downtime_event).
SELECT CAST(DATE_FORMAT(date, '%%Y-%%m-01') AS DATE)   AS period_month,
       factory_id,
       COUNT(*)                                         AS fault_count,
       AVG(duration_minutes) / 60                       AS mttr_hours
FROM fact_downtime_event
WHERE date >= %(start)s AND date < %(end)s AND factory_id IS NOT NULL
GROUP BY 1, 2
