-- Verifications of the hash chains recorded during the report day, per kind
-- (INCREMENTAL, FULL, DIGEST_EXPORT, DIGEST_CHECK, RETENTION_CHECKPOINT).
SELECT verification_type,
       COUNT(*) AS runs,
       SUM(verification_status = 'VALID') AS valid,
       SUM(verification_status <> 'VALID') AS not_valid,
       COALESCE(SUM(rows_verified), 0) AS rows_verified,
       MAX(verification_timestamp) AS last_at
FROM audit_trail_integrity
WHERE verification_timestamp >= %(start)s AND verification_timestamp < %(end)s
GROUP BY verification_type
ORDER BY verification_type
