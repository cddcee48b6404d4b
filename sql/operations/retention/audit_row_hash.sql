-- The stored hash of one row of one stream (a purge re-checks it against the archive).
SELECT hash_sha256
FROM {table}
WHERE stream_id = %(stream)s AND stream_seq = %(seq)s
