-- Purge a seq range at the start of one stream. The append-only trigger checks every row
-- again: declared purge session, past its retention period, under no active legal hold.
DELETE FROM {table}
WHERE stream_id = %(stream)s AND stream_seq BETWEEN %(first)s AND %(last)s
