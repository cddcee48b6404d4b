-- The next rows of one stream in chain order after a position (the retention walk reads only
-- the creation time; the chain order is the primary key).
SELECT stream_seq, created_at
FROM {table}
WHERE stream_id = %(stream)s AND stream_seq > %(after)s
ORDER BY stream_seq
LIMIT %(limit)s
