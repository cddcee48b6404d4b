-- Backups whose latest legal-hold action recorded in document_retention_log is HELD (the
-- retention job's hold sync sets and clears blob legal holds and records each change).
SELECT h.document_id
FROM document_retention_log AS h
WHERE h.document_type = 'BACKUP' AND h.action = 'HELD'
  AND NOT EXISTS (
      SELECT 1 FROM document_retention_log AS later
      WHERE later.document_id = h.document_id AND later.document_type = 'BACKUP'
        AND later.action IN ('HELD', 'RELEASED')
        AND (later.created_at, later.stream_seq) > (h.created_at, h.stream_seq)
  )
