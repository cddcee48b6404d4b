-- Response and resolution SLAs of the service tickets whose change marker (updated_at) falls in
-- [start, end): the current measurement of each such ticket's two SLAs.
-- A ticket resolved or closed without a separate first response counts as answered then.
WITH changed AS (
    SELECT t.ticket_id, t.ticket_number, t.customer_id, t.opened_at, t.first_response_at,
           t.resolved_at, t.closed_at, t.sla_response_minutes, t.sla_resolution_minutes
    FROM service_tickets AS t
    WHERE t.updated_at >= %(start)s AND t.updated_at < %(end)s
),
slas AS (
    SELECT c.ticket_id, c.ticket_number, c.customer_id, c.opened_at, s.sla_type, s.metric,
           s.target_minutes, s.reached_at
    FROM changed AS c
    CROSS JOIN LATERAL (
        VALUES
            ('RESPONSE', 'minutes from opened to first response', c.sla_response_minutes,
             COALESCE(c.first_response_at, c.resolved_at, c.closed_at)),
            ('RESOLUTION', 'minutes from opened to resolved', c.sla_resolution_minutes,
             COALESCE(c.resolved_at, c.closed_at))
    ) AS s (sla_type, metric, target_minutes, reached_at)
)
SELECT
    'TICKET:' || s.ticket_id || ':' || s.sla_type AS sla_id,
    (s.opened_at AT TIME ZONE 'UTC')::date AS tracking_date,
    s.sla_type,
    'SERVICE_TICKET' AS source_record_type,
    s.ticket_id::bigint AS source_record_id,
    s.ticket_number AS source_record_number,
    s.customer_id::bigint AS customer_id,
    s.metric AS target_metric,
    s.target_minutes::numeric AS target_value,
    round((extract(epoch FROM s.reached_at - s.opened_at) / 60)::numeric, 2) AS actual_value,
    CASE
        WHEN s.reached_at IS NULL THEN 'PENDING'
        WHEN s.reached_at <= s.opened_at + make_interval(mins => s.target_minutes) THEN 'MET'
        ELSE 'BREACHED'
    END AS compliance_status,
    CASE
        WHEN s.reached_at IS NULL THEN NULL
        WHEN s.reached_at <= s.opened_at + make_interval(mins => s.target_minutes) THEN 'YES'
        ELSE 'NO'
    END AS compliant,
    CASE
        WHEN s.reached_at > s.opened_at + make_interval(mins => s.target_minutes) THEN 1
        ELSE 0
    END AS violation_count
FROM slas AS s
