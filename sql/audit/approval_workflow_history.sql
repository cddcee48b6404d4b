-- Approval steps whose change marker (updated_at) falls in [start, end): their current state.
SELECT
    a.approval_id::bigint AS workflow_id,
    a.submitted_at AS workflow_timestamp,
    a.document_type,
    a.document_id::bigint AS document_id,
    a.step_no::bigint AS step_no,
    a.status AS workflow_status,
    a.approver_employee_id::bigint AS approver_id,
    (a.decided_at AT TIME ZONE 'UTC')::date AS approval_date,
    a.decided_at,
    round((extract(epoch FROM a.decided_at - a.submitted_at) / 3600)::numeric, 2)
        AS decision_hours,
    a.comments
FROM approvals AS a
WHERE a.updated_at >= %(start)s AND a.updated_at < %(end)s
