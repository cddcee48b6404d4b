-- Machine time and output per factory and month (genims_analytics_db.fact_machine_hourly).
SELECT CAST(DATE_FORMAT(date, '%%Y-%%m-01') AS DATE)   AS period_month,
       factory_id,
       SUM(planned_minutes)                             AS planned_minutes,
       SUM(run_minutes)                                 AS run_minutes,
       SUM(ideal_run_minutes)                           AS ideal_run_minutes,
       SUM(units_produced)                              AS units_produced,
       SUM(units_good)                                  AS units_good,
       SUM(unplanned_downtime_minutes)                  AS unplanned_downtime_minutes
FROM fact_machine_hourly
WHERE date >= %(start)s AND date < %(end)s AND factory_id IS NOT NULL
GROUP BY 1, 2
