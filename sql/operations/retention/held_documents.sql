-- Every legal-hold action recorded on a stored document, oldest first (the last one of each
-- document says whether the platform holds it now).
SELECT document_id, document_type, action, archived_location, details
FROM document_retention_log
WHERE action IN ('HELD', 'RELEASED') AND document_type IN ('BACKUP', 'AUDIT_ARCHIVE')
ORDER BY created_at, stream_id, stream_seq
