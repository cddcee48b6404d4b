-- Downtime, its reasons, MTBF and MTTR per machine and UTC day (operations database).
-- DOWN is unplanned and PLANNED_DOWNTIME planned downtime; each interval is clipped to every
-- day it overlaps (an open interval runs until now). Reasons rank by minutes that day, ties by
-- code; downtime without a reason code ranks as UNSPECIFIED so that the top reason is never a
-- minor one just because the largest had no code.
WITH pieces AS (
    SELECT day::date                                              AS date,
           s.machine_id,
           s.status,
           coalesce(s.reason_code, 'UNSPECIFIED')                 AS reason,
           extract(epoch FROM
               least(coalesce(s.ended_at, now()), day + interval '1 day') - greatest(s.started_at, day)
           ) / 60.0                                               AS minutes
    FROM equipment_status_changes s
    CROSS JOIN LATERAL generate_series(
        date_trunc('day', greatest(s.started_at, %(start)s::timestamptz)),
        least(coalesce(s.ended_at, now()), %(end)s::timestamptz) - interval '1 microsecond',
        interval '1 day'
    ) AS day
    WHERE s.status IN ('DOWN', 'PLANNED_DOWNTIME')
      AND s.started_at < %(end)s
      AND coalesce(s.ended_at, now()) > %(start)s
),
down AS (
    SELECT date, machine_id,
           coalesce(sum(minutes) FILTER (WHERE status = 'PLANNED_DOWNTIME'), 0) AS planned,
           coalesce(sum(minutes) FILTER (WHERE status = 'DOWN'), 0)             AS unplanned
    FROM pieces
    WHERE minutes > 0
    GROUP BY 1, 2
),
reasons AS (
    SELECT date, machine_id, reason,
           row_number() OVER (PARTITION BY date, machine_id
                              ORDER BY sum(minutes) DESC, reason) AS rank
    FROM pieces
    WHERE minutes > 0
    GROUP BY 1, 2, 3
),
started AS (
    SELECT (fault_start AT TIME ZONE 'UTC')::date AS date, machine_id, count(*) AS faults
    FROM machine_faults
    WHERE fault_start >= %(start)s AND fault_start < %(end)s
    GROUP BY 1, 2
),
repaired AS (
    SELECT (fault_end AT TIME ZONE 'UTC')::date                      AS date,
           machine_id,
           count(*)                                                  AS repairs,
           avg(extract(epoch FROM fault_end - fault_start)) / 3600.0 AS mttr_hours
    FROM machine_faults
    WHERE fault_end >= %(start)s AND fault_end < %(end)s
    GROUP BY 1, 2
),
running AS (
    SELECT (run_start AT TIME ZONE 'UTC')::date AS date, machine_id, sum(run_minutes) / 60.0 AS hours
    FROM production_run_logs
    WHERE run_start >= %(start)s AND run_start < %(end)s
    GROUP BY 1, 2
),
machine_days AS (
    SELECT date, machine_id FROM down
    UNION
    SELECT date, machine_id FROM started
    UNION
    SELECT date, machine_id FROM repaired
)
SELECT k.date,
       k.machine_id::bigint                                    AS machine_id,
       coalesce(d.planned + d.unplanned, 0)                    AS downtime_minutes,
       coalesce(d.planned, 0)                                  AS planned_downtime,
       coalesce(d.unplanned, 0)                                AS unplanned_downtime,
       r1.reason                                               AS primary_reason,
       r2.reason                                               AS secondary_reason,
       coalesce(run.hours, 0)                                  AS run_hours,
       coalesce(st.faults, 0)                                  AS fault_count,
       coalesce(rp.repairs, 0)                                 AS faults_repaired,
       coalesce(run.hours, 0) / nullif(st.faults, 0)           AS mtbf_hours,
       rp.mttr_hours
FROM machine_days k
LEFT JOIN down d ON d.date = k.date AND d.machine_id = k.machine_id
LEFT JOIN reasons r1 ON r1.date = k.date AND r1.machine_id = k.machine_id AND r1.rank = 1
LEFT JOIN reasons r2 ON r2.date = k.date AND r2.machine_id = k.machine_id AND r2.rank = 2
LEFT JOIN started st ON st.date = k.date AND st.machine_id = k.machine_id
LEFT JOIN repaired rp ON rp.date = k.date AND rp.machine_id = k.machine_id
LEFT JOIN running run ON run.date = k.date AND run.machine_id = k.machine_id
