-- Service tickets resolved in the window (service database), on their resolution day (UTC),
-- with SLA attainment and the field visits made for them.
WITH resolved AS (
    SELECT *
    FROM service_tickets
    WHERE resolved_at >= %(start)s AND resolved_at < %(end)s
),
visits AS (
    SELECT ticket_id, count(*) AS visits, coalesce(sum(travel_km), 0) AS travel_km
    FROM field_service_visits
    WHERE ticket_id IN (SELECT ticket_id FROM resolved)
    GROUP BY 1
)
SELECT (t.resolved_at AT TIME ZONE 'UTC')::date                          AS date,
       t.ticket_id::bigint                                               AS ticket_id,
       t.ticket_number,
       t.customer_id::bigint                                             AS customer_id,
       t.product_id::bigint                                              AS product_id,
       t.assigned_employee_id::bigint                                    AS assigned_employee_id,
       t.channel,
       t.priority,
       t.category,
       t.status,
       (t.opened_at AT TIME ZONE 'UTC')::date                            AS opened_date,
       t.opened_at,
       t.first_response_at,
       t.resolved_at,
       t.closed_at,
       extract(epoch FROM t.first_response_at - t.opened_at) / 60.0      AS response_minutes,
       extract(epoch FROM t.resolved_at - t.opened_at) / 60.0            AS resolution_minutes,
       t.sla_response_minutes,
       t.sla_resolution_minutes,
       (t.first_response_at - t.opened_at
        <= make_interval(mins => t.sla_response_minutes))::int         AS response_sla_met,
       (t.resolved_at - t.opened_at
        <= make_interval(mins => t.sla_resolution_minutes))::int       AS resolution_sla_met,
       t.satisfaction_score,
       coalesce(v.visits, 0)                                             AS field_visits,
       coalesce(v.travel_km, 0)                                          AS field_travel_km
FROM resolved t
LEFT JOIN visits v ON v.ticket_id = t.ticket_id
