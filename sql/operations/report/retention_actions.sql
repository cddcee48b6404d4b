-- Retention work recorded during the report day, per audit table and outcome
-- (PLANNED, ARCHIVED, PURGED, HELD, DRY_RUN, FAILED).
SELECT table_name, deletion_status, COUNT(*) AS actions,
       COALESCE(SUM(rows_affected), 0) AS rows_affected
FROM data_retention_schedule
WHERE created_at >= %(start)s AND created_at < %(end)s
GROUP BY table_name, deletion_status
ORDER BY table_name, deletion_status
