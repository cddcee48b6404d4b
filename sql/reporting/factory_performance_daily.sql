-- Factory utilisation and output per UTC day of the run start (operations database).
SELECT (run_start AT TIME ZONE 'UTC')::date                     AS date,
       factory_id::bigint                                       AS factory_id,
       sum(run_minutes) / nullif(sum(planned_minutes), 0)       AS factory_utilization_ratio,
       sum(planned_minutes)                                     AS planned_production_minutes,
       sum(run_minutes)                                         AS total_runtime_minutes,
       sum(units_produced)                                      AS total_units_produced,
       sum(units_good)                                          AS units_good
FROM production_run_logs
WHERE run_start >= %(start)s AND run_start < %(end)s
GROUP BY 1, 2
