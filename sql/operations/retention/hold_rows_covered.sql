-- Rows of one audit table a hold covers (the same conditions as the purge trigger's).
SELECT COUNT(*)
FROM {table}
WHERE (%(stream)s IS NULL OR stream_id = %(stream)s)
  AND (%(covers_from)s IS NULL OR created_at >= %(covers_from)s)
  AND (%(covers_to)s IS NULL OR created_at <= %(covers_to)s)
