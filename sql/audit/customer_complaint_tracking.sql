-- Complaint cases whose change marker (updated_at) falls in [start, end): their current state.
SELECT
    c.case_id::bigint AS complaint_id,
    c.case_number,
    (c.opened_at AT TIME ZONE 'UTC')::date AS complaint_date,
    c.opened_at,
    c.customer_id::bigint AS customer_id,
    c.category AS complaint_category,
    c.severity AS severity_level,
    c.status,
    (c.resolved_at AT TIME ZONE 'UTC')::date AS resolution_date,
    round((extract(epoch FROM c.resolved_at - c.opened_at) / 86400)::numeric, 2)
        AS days_to_resolution,
    c.compensation_amount,
    c.description AS complaint_description
FROM cases AS c
WHERE c.is_complaint
  AND c.updated_at >= %(start)s AND c.updated_at < %(end)s
