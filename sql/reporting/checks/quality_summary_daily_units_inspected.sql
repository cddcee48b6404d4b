-- Units inspected in-process or at final inspection, of a known product, in the window.
SELECT coalesce(sum(units_inspected), 0) FROM inspections
WHERE inspected_at >= %(start)s AND inspected_at < %(end)s
  AND inspection_type <> 'INCOMING' AND product_id IS NOT NULL
