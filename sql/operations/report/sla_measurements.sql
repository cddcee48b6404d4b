-- SLA measurements recorded during the report day (each appended version is the state of
-- one SLA instance as measured then), per SLA type and outcome (MET, BREACHED, PENDING).
SELECT sla_type, compliance_status, COUNT(*) AS measurements
FROM sla_compliance_tracking
WHERE created_at >= %(start)s AND created_at < %(end)s
GROUP BY sla_type, compliance_status
ORDER BY sla_type, compliance_status
