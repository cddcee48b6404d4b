-- Line performance per UTC day of the run start (operations database): the runs of all the
-- machines of the line, summed before any ratio is taken.
SELECT (run_start AT TIME ZONE 'UTC')::date                                 AS date,
       line_id::bigint                                                      AS production_line_id,
       sum(run_minutes) / nullif(sum(planned_minutes), 0)                   AS line_utilization_ratio,
       sum(planned_minutes)                                                 AS planned_production_minutes,
       sum(run_minutes)                                                     AS total_runtime_minutes,
       sum(units_produced)                                                  AS throughput,
       sum(units_good)                                                      AS units_good,
       sum(units_good) / nullif(sum(run_minutes) / 60.0, 0)                 AS throughput_units_per_hour,
       sum(ideal_cycle_time_s * units_good) / 60.0 / nullif(sum(planned_minutes), 0) AS oee_daily,
       sum(units_rejected)                                                  AS defect_count
FROM production_run_logs
WHERE run_start >= %(start)s AND run_start < %(end)s
GROUP BY 1, 2
