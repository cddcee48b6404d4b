-- Streams of one audit table that hold rows, in a stable order (the retention walk).
SELECT stream_id
FROM audit_chain_head
WHERE table_name = %(table)s AND last_seq > 0
ORDER BY stream_id
