-- Portal accesses of suppliers in [start, end) by accessed_at (insert-only: the change marker).
SELECT
    a.access_id::bigint AS access_id,
    (a.accessed_at AT TIME ZONE 'UTC')::date AS access_date,
    a.accessed_at,
    a.supplier_id::bigint AS supplier_id,
    a.user_name,
    a.resource AS data_accessed,
    a.action AS access_action,
    CASE WHEN a.access_granted THEN 'YES' ELSE 'NO' END AS access_granted,
    host(a.ip_address) AS ip_address,
    a.justification AS access_justification,
    a.session_minutes AS duration_minutes,
    a.approved_by_employee_id::bigint AS access_approved_by,
    (a.revoked_at AT TIME ZONE 'UTC')::date AS access_revoked_date
FROM portal_access_log AS a
WHERE a.accessed_at >= %(start)s AND a.accessed_at < %(end)s
