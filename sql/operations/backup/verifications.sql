-- Restore verifications of the backups under a container/database prefix, oldest first (the
-- last one of each backup is its current state).
SELECT document_id, action
FROM document_retention_log
WHERE document_type = 'BACKUP' AND action IN ('VERIFIED', 'VERIFY_FAILED')
  AND document_id LIKE %(prefix)s
ORDER BY created_at, stream_seq
