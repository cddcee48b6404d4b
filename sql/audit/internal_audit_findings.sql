-- Every internal audit finding, whole table (a few dozen a year).
SELECT
    f.finding_id::bigint AS finding_id,
    f.audit_date,
    f.audit_area,
    f.finding_description,
    f.severity,
    f.responsible_department,
    f.corrective_action,
    f.target_completion_date,
    f.actual_completion_date,
    f.status AS finding_status,
    CASE
        WHEN f.actual_completion_date IS NULL OR f.target_completion_date IS NULL THEN NULL
        WHEN f.actual_completion_date <= f.target_completion_date THEN 'YES'
        ELSE 'NO'
    END AS completed_on_time
FROM internal_audit_findings AS f
