-- OEE factors per machine and UTC day of the run start (operations database), with the change
-- against the machine's previous day. The day before the window is read too, so the first day
-- of any window gets its trend exactly as a single-day run would.
WITH factors AS (
    SELECT (run_start AT TIME ZONE 'UTC')::date                              AS date,
           machine_id,
           max(factory_id)                                                   AS factory_id,
           max(line_id)                                                      AS production_line_id,
           sum(run_minutes) / nullif(sum(planned_minutes), 0)                AS availability,
           sum(ideal_cycle_time_s * units_produced) / 60.0
             / nullif(sum(run_minutes), 0)                                   AS performance,
           sum(units_good)::numeric / nullif(sum(units_produced), 0)         AS quality
    FROM production_run_logs
    WHERE run_start >= %(start)s::date - 1 AND run_start < %(end)s
    GROUP BY 1, 2
),
oee AS (
    SELECT *, availability * performance * quality AS oee_calculated
    FROM factors
)
SELECT t.date,
       t.machine_id::bigint                          AS machine_id,
       t.factory_id::bigint                          AS factory_id,
       t.production_line_id::bigint                  AS production_line_id,
       t.availability,
       t.performance,
       t.quality,
       t.oee_calculated,
       y.oee_calculated                              AS oee_previous_day,
       t.oee_calculated - y.oee_calculated           AS trend_vs_yesterday
FROM oee t
LEFT JOIN oee y ON y.machine_id = t.machine_id AND y.date = t.date - 1
WHERE t.date >= %(start)s
