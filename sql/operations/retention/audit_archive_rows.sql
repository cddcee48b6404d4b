-- Chain columns and hashed bytes of a seq range of one stream, in order (the archive).
SELECT stream_seq, previous_hash_sha256, hash_sha256, CAST(canonical_payload AS BINARY)
FROM {table}
WHERE stream_id = %(stream)s AND stream_seq BETWEEN %(first)s AND %(last)s
ORDER BY stream_seq
