-- Maintenance work orders completed in the window (maintenance database), on their completion
-- day (UTC), with the downtime booked in their history.
WITH orders AS (
    SELECT *
    FROM maintenance_work_orders
    WHERE status = 'COMPLETED' AND completed_at >= %(start)s AND completed_at < %(end)s
),
history AS (
    SELECT mwo_id, count(*) AS events, sum(downtime_minutes) AS downtime_minutes
    FROM maintenance_history
    WHERE mwo_id IN (SELECT mwo_id FROM orders)
    GROUP BY 1
)
SELECT (o.completed_at AT TIME ZONE 'UTC')::date                      AS date,
       o.mwo_id::bigint                                               AS mwo_id,
       o.mwo_number,
       o.mwo_type,
       o.priority,
       o.machine_id::bigint                                           AS machine_id,
       o.fault_id::bigint                                             AS fault_id,
       o.failure_code,
       o.technician_employee_id::bigint                               AS technician_employee_id,
       (o.reported_at AT TIME ZONE 'UTC')::date                       AS reported_date,
       o.reported_at,
       o.started_at,
       o.completed_at,
       extract(epoch FROM o.started_at - o.reported_at) / 3600.0      AS response_hours,
       extract(epoch FROM o.completed_at - o.started_at) / 3600.0     AS repair_hours,
       o.labor_hours,
       o.labor_cost,
       o.parts_cost,
       o.labor_cost + o.parts_cost                                    AS total_cost,
       coalesce(h.downtime_minutes, 0)                                AS downtime_minutes,
       coalesce(h.events, 0)                                          AS history_events
FROM orders o
LEFT JOIN history h ON h.mwo_id = o.mwo_id
