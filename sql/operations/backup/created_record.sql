-- What was recorded when a backup was written: its SHA-256 and the details (manifest name and
-- SHA-256); the hash chain of document_retention_log makes this the reference a rewritten
-- blob cannot match.
SELECT sha256, size_bytes, details
FROM document_retention_log
WHERE document_type = 'BACKUP' AND action = 'CREATED' AND document_id = %(document_id)s
ORDER BY created_at, stream_seq
LIMIT 1
