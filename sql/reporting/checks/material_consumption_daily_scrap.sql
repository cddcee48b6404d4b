-- Material quantity scrapped in the window (manufacturing).
SELECT coalesce(sum(scrap_quantity), 0) FROM material_consumption
WHERE consumed_at >= %(start)s AND consumed_at < %(end)s
