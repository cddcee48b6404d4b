-- Actions on stored documents of one type (e.g. BACKUP) during the report day, in order.
SELECT retention_date, document_id, action, size_bytes, sha256, details, performed_by,
       deletion_scheduled_date
FROM document_retention_log
WHERE document_type = %(document_type)s
  AND retention_date >= %(start)s AND retention_date < %(end)s
ORDER BY retention_date, stream_seq
