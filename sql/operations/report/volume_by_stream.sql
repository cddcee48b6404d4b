-- Rows appended to one chained audit table during the report day, per hash chain (stream).
-- {table} is a chained table of the audit database (quoted identifier); created_at is the
-- immutable, hashed append time (UTC).
SELECT stream_id, COUNT(*) AS rows_appended
FROM {table}
WHERE created_at >= %(start)s AND created_at < %(end)s
GROUP BY stream_id
ORDER BY stream_id
