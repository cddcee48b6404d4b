-- The latest verification of one kind recorded before the end of the report day (the state an
-- auditor relies on for that day, even when the check itself ran on an earlier day).
SELECT verification_timestamp, verification_status, rows_verified, streams_verified,
       problems, digest_sha256, digest_location, verified_by, duration_ms
FROM audit_trail_integrity
WHERE verification_type = %(kind)s AND verification_timestamp < %(end)s
ORDER BY verification_timestamp DESC, stream_seq DESC
LIMIT 1
