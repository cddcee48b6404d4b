-- Schedule adherence per line and UTC day of the scheduled start (manufacturing database).
-- Cancelled schedules are counted apart and excluded from every other measure. A schedule
-- complies when it actually started within 15 minutes of its scheduled start, early or late.
WITH schedules AS (
    SELECT (scheduled_start AT TIME ZONE 'UTC')::date AS date, *
    FROM production_schedules
    WHERE scheduled_start >= %(start)s AND scheduled_start < %(end)s
),
live AS (
    SELECT * FROM schedules WHERE status <> 'CANCELLED'
),
causes AS (
    SELECT date, line_id,
           string_agg(delay_reason, ', ' ORDER BY minutes DESC, delay_reason) AS root_causes
    FROM (
        SELECT date, line_id, delay_reason, sum(delay_minutes) AS minutes
        FROM live
        WHERE delay_reason IS NOT NULL
        GROUP BY 1, 2, 3
        HAVING sum(delay_minutes) > 0
    ) AS per_reason
    GROUP BY 1, 2
),
adherence AS (
    SELECT date, line_id,
           count(*)                                                           AS schedules_total,
           count(*) FILTER (WHERE actual_start BETWEEN scheduled_start - interval '15 minutes'
                                                   AND scheduled_start + interval '15 minutes')
                                                                              AS started_on_time,
           count(actual_end)                                                  AS completed,
           count(*) FILTER (WHERE actual_end <= scheduled_end)                AS completed_on_time,
           sum(delay_minutes)                                                 AS delay_minutes
    FROM live
    GROUP BY 1, 2
),
cancelled AS (
    SELECT date, line_id, count(*) AS schedules_cancelled
    FROM schedules
    WHERE status = 'CANCELLED'
    GROUP BY 1, 2
)
SELECT date,
       line_id::bigint                                         AS production_line_id,
       coalesce(a.schedules_total, 0)                          AS schedules_total,
       coalesce(c.schedules_cancelled, 0)                      AS schedules_cancelled,
       coalesce(a.started_on_time, 0)                          AS schedules_started_on_time,
       a.started_on_time::numeric / nullif(a.schedules_total, 0)  AS schedule_compliance_ratio,
       coalesce(a.completed, 0)                                AS schedules_completed,
       coalesce(a.completed_on_time, 0)                        AS schedules_completed_on_time,
       a.completed_on_time::numeric / nullif(a.completed, 0)   AS on_time_delivery_ratio,
       coalesce(a.delay_minutes, 0)                            AS delay_minutes_total,
       r.root_causes
FROM adherence a
FULL JOIN cancelled c USING (date, line_id)
LEFT JOIN causes r USING (date, line_id)
