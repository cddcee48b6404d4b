-- Every data subject request, whole table (a few dozen a year). The legal deadline is one month
-- (GDPR Art. 12(3)), applied as 30 days from receipt; a denial with reasons is an answer too.
SELECT
    r.request_id::bigint AS request_id,
    r.request_number,
    (r.received_at AT TIME ZONE 'UTC')::date AS request_date,
    r.received_at,
    r.data_subject_type,
    r.data_subject_id::bigint AS data_subject_id,
    r.request_type,
    r.status,
    r.received_at + interval '30 days' AS legal_deadline_at,
    (r.completed_at AT TIME ZONE 'UTC')::date AS completion_date,
    r.completed_at,
    round((extract(epoch FROM r.completed_at - r.received_at) / 86400)::numeric, 2)
        AS days_to_complete,
    CASE
        WHEN r.completed_at IS NULL THEN NULL
        WHEN r.completed_at <= r.received_at + interval '30 days' THEN 'YES'
        ELSE 'NO'
    END AS deadline_met,
    r.fulfilled_by_employee_id::bigint AS fulfilled_by,
    r.notes
FROM gdpr_requests AS r
