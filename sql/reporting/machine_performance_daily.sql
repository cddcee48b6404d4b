-- Daily OEE per machine (operations database). A run belongs to the UTC day it started.
-- Downtime is the time in DOWN state, clipped to each day it overlaps.
WITH runs AS (
    SELECT (run_start AT TIME ZONE 'UTC')::date             AS date,
           machine_id,
           max(factory_id)                                   AS factory_id,
           max(line_id)                                      AS production_line_id,
           sum(planned_minutes)                              AS planned,
           sum(run_minutes)                                  AS run,
           sum(ideal_cycle_time_s * units_produced) / 60.0   AS ideal_minutes,
           sum(units_produced)                               AS produced,
           sum(units_good)                                   AS good,
           sum(units_rejected)                               AS rejected
    FROM production_run_logs
    WHERE run_start >= %(start)s AND run_start < %(end)s
    GROUP BY 1, 2
),
down AS (
    SELECT day::date AS date,
           s.machine_id,
           sum(extract(epoch FROM
               least(coalesce(s.ended_at, now()), day + interval '1 day') - greatest(s.started_at, day)
           )) / 60.0 AS minutes
    FROM equipment_status_changes s
    CROSS JOIN LATERAL generate_series(
        date_trunc('day', greatest(s.started_at, %(start)s::timestamptz)),
        least(coalesce(s.ended_at, now()), %(end)s::timestamptz) - interval '1 microsecond',
        interval '1 day'
    ) AS day
    WHERE s.status = 'DOWN'
      AND s.started_at < %(end)s
      AND coalesce(s.ended_at, now()) > %(start)s
    GROUP BY 1, 2
),
faults AS (
    SELECT (fault_start AT TIME ZONE 'UTC')::date AS date, machine_id, count(*) AS fault_count
    FROM machine_faults
    WHERE fault_start >= %(start)s AND fault_start < %(end)s
    GROUP BY 1, 2
)
SELECT r.date,
       r.machine_id,
       r.factory_id,
       r.production_line_id,
       r.run / nullif(r.planned, 0)                                   AS availability_ratio,
       r.ideal_minutes / nullif(r.run, 0)                             AS performance_ratio,
       r.good::numeric / nullif(r.produced, 0)                        AS quality_ratio,
       (r.run / nullif(r.planned, 0))
         * (r.ideal_minutes / nullif(r.run, 0))
         * (r.good::numeric / nullif(r.produced, 0))                  AS oee_overall,
       r.planned                                                      AS planned_production_minutes,
       r.run                                                          AS total_runtime_minutes,
       coalesce(d.minutes, 0)                                         AS downtime_minutes,
       coalesce(f.fault_count, 0)                                     AS fault_count,
       r.produced                                                     AS units_produced,
       r.good                                                         AS units_good,
       r.rejected                                                     AS units_rejected,
       r.rejected::numeric / nullif(r.produced, 0)                    AS scrap_rate
FROM runs r
LEFT JOIN down d ON d.date = r.date AND d.machine_id = r.machine_id
LEFT JOIN faults f ON f.date = r.date AND f.machine_id = r.machine_id
