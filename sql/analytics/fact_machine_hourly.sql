-- Machine hours (operations database). Each production run and each DOWN / PLANNED_DOWNTIME
-- interval is cut at the clock hours (UTC) it overlaps; a run's planned and run minutes and its
-- units are apportioned by the share of its wall-clock duration inside the hour (a run of zero
-- duration counts fully in its hour). An open downtime interval runs until now. Sensor
-- readings are summarised per hour with their SCADA point's measurement and limits. Only
-- pieces inside the window count, so a day's hours never depend on the window.
WITH run_pieces AS (
    SELECT r.machine_id,
           h AS hour_start,
           CASE WHEN r.run_end > r.run_start
                THEN extract(epoch FROM least(r.run_end, h + interval '1 hour')
                                        - greatest(r.run_start, h))
                     / extract(epoch FROM r.run_end - r.run_start)
                ELSE 1 END                                     AS share,
           r.planned_minutes, r.run_minutes, r.ideal_cycle_time_s,
           r.units_produced, r.units_good, r.units_rejected
    FROM production_run_logs r
    CROSS JOIN LATERAL generate_series(
        date_trunc('hour', greatest(r.run_start, %(start)s::timestamptz)),
        greatest(date_trunc('hour', greatest(r.run_start, %(start)s::timestamptz)),
                 least(r.run_end, %(end)s::timestamptz) - interval '1 microsecond'),
        interval '1 hour'
    ) AS h
    WHERE r.run_start < %(end)s AND r.run_end > %(start)s
),
runs AS (
    SELECT machine_id, hour_start,
           sum(planned_minutes * share)                          AS planned_minutes,
           sum(run_minutes * share)                              AS run_minutes,
           sum(ideal_cycle_time_s * units_produced * share) / 60 AS ideal_run_minutes,
           sum(units_produced * share)                           AS units_produced,
           sum(units_good * share)                               AS units_good,
           sum(units_rejected * share)                           AS units_rejected
    FROM run_pieces
    GROUP BY 1, 2
),
down_pieces AS (
    SELECT s.machine_id,
           h AS hour_start,
           s.status,
           extract(epoch FROM least(coalesce(s.ended_at, now()), h + interval '1 hour')
                              - greatest(s.started_at, h)) / 60.0 AS minutes
    FROM equipment_status_changes s
    CROSS JOIN LATERAL generate_series(
        date_trunc('hour', greatest(s.started_at, %(start)s::timestamptz)),
        least(coalesce(s.ended_at, now()), %(end)s::timestamptz) - interval '1 microsecond',
        interval '1 hour'
    ) AS h
    WHERE s.status IN ('DOWN', 'PLANNED_DOWNTIME')
      AND s.started_at < %(end)s
      AND coalesce(s.ended_at, now()) > %(start)s
),
downtime AS (
    SELECT machine_id, hour_start,
           coalesce(sum(minutes) FILTER (WHERE status = 'DOWN'), 0)             AS unplanned,
           coalesce(sum(minutes) FILTER (WHERE status = 'PLANNED_DOWNTIME'), 0) AS planned
    FROM down_pieces
    WHERE minutes > 0
    GROUP BY 1, 2
),
readings AS (
    SELECT r.machine_id,
           date_trunc('hour', r.reading_ts)                                         AS hour_start,
           count(*)                                                                 AS reading_count,
           count(*) FILTER (WHERE r.value < p.low_limit OR r.value > p.high_limit)  AS out_of_limit,
           avg(r.value) FILTER (WHERE p.measurement = 'TEMPERATURE')                AS avg_temperature,
           max(r.value) FILTER (WHERE p.measurement = 'TEMPERATURE')                AS max_temperature,
           avg(r.value) FILTER (WHERE p.measurement = 'VIBRATION')                  AS avg_vibration,
           max(r.value) FILTER (WHERE p.measurement = 'VIBRATION')                  AS max_vibration,
           avg(r.value) FILTER (WHERE p.measurement = 'PRESSURE')                   AS avg_pressure,
           avg(r.value) FILTER (WHERE p.measurement = 'MOTOR_CURRENT')              AS avg_motor_current
    FROM sensor_readings r
    LEFT JOIN scada_points p ON p.point_id = r.point_id
    WHERE r.reading_ts >= %(start)s AND r.reading_ts < %(end)s
    GROUP BY 1, 2
),
machine_hours AS (
    SELECT machine_id, hour_start FROM runs
    UNION
    SELECT machine_id, hour_start FROM downtime
    UNION
    SELECT machine_id, hour_start FROM readings
)
SELECT (k.hour_start AT TIME ZONE 'UTC')::date                AS date,
       k.machine_id::bigint                                   AS machine_id,
       extract(hour FROM k.hour_start AT TIME ZONE 'UTC')::int AS hour_of_day,
       k.hour_start,
       coalesce(ru.planned_minutes, 0)                        AS planned_minutes,
       coalesce(ru.run_minutes, 0)                            AS run_minutes,
       coalesce(ru.ideal_run_minutes, 0)                      AS ideal_run_minutes,
       coalesce(ru.units_produced, 0)                         AS units_produced,
       coalesce(ru.units_good, 0)                             AS units_good,
       coalesce(ru.units_rejected, 0)                         AS units_rejected,
       coalesce(d.unplanned, 0)                               AS unplanned_downtime_minutes,
       coalesce(d.planned, 0)                                 AS planned_downtime_minutes,
       coalesce(rd.reading_count, 0)                          AS reading_count,
       coalesce(rd.out_of_limit, 0)                           AS out_of_limit_readings,
       rd.avg_temperature, rd.max_temperature, rd.avg_vibration, rd.max_vibration,
       rd.avg_pressure, rd.avg_motor_current
FROM machine_hours k
LEFT JOIN runs ru ON ru.machine_id = k.machine_id AND ru.hour_start = k.hour_start
LEFT JOIN downtime d ON d.machine_id = k.machine_id AND d.hour_start = k.hour_start
LEFT JOIN readings rd ON rd.machine_id = k.machine_id AND rd.hour_start = k.hour_start
