-- Retention period of one audit table: its own row of audit_retention_policy, else the '*'
-- row; none means nothing may be purged (the same rule as the append-only DELETE trigger).
SELECT retention_days
FROM audit_retention_policy
WHERE table_name IN (%(table)s, '*')
ORDER BY table_name = '*'
LIMIT 1
