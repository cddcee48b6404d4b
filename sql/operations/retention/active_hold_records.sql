-- The PLACED record of every hold that is still active: kept by the retention job whatever its
-- age, so a hold older than the retention period keeps its business record until released.
SELECT r.stream_id, r.stream_seq, r.hold_id
FROM legal_hold_records AS r
JOIN audit_legal_hold AS h ON h.hold_id = r.hold_id
WHERE r.action = 'PLACED' AND h.released_at IS NULL
