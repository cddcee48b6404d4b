-- The first row left in one stream: a purge only ever removes the start of a chain.
SELECT stream_seq
FROM {table}
WHERE stream_id = %(stream)s
ORDER BY stream_seq
LIMIT 1
