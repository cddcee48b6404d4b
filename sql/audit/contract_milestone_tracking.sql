-- Every milestone of every supplier contract, whole table (a few per contract).
SELECT
    m.milestone_id::bigint AS milestone_id,
    (m.updated_at AT TIME ZONE 'UTC')::date AS tracking_date,
    c.contract_id::bigint AS contract_id,
    c.contract_number,
    c.supplier_id::bigint AS supplier_id,
    c.status AS contract_status,
    m.milestone_description,
    m.planned_date,
    m.actual_date,
    m.status AS milestone_status,
    CASE WHEN m.actual_date IS NOT NULL THEN 'YES' ELSE 'NO' END AS status_complete,
    m.actual_date - m.planned_date AS days_late,
    m.responsible_party,
    m.completion_evidence
FROM contract_milestones AS m
JOIN contracts AS c ON c.contract_id = m.contract_id
