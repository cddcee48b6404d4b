-- Rows per date of one reporting table before a boundary date (the partitions to delete).
SELECT {column}, COUNT(*)
FROM {table}
WHERE {column} < %(boundary)s
GROUP BY {column}
ORDER BY {column}
