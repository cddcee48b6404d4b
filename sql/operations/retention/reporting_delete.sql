-- Delete one bounded chunk of one partition [start, end) of a reporting table; repeated until
-- the partition is empty, one short transaction per chunk.
DELETE FROM {table}
WHERE {column} >= %(start)s AND {column} < %(end)s
LIMIT %(limit)s
