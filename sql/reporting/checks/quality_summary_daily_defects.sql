-- Defects found by those inspections, whatever their severity.
SELECT coalesce(sum(d.quantity), 0)
FROM defects d
WHERE EXISTS (
    SELECT 1 FROM inspections i
    WHERE i.inspection_id = d.inspection_id
      AND i.inspected_at >= %(start)s AND i.inspected_at < %(end)s
      AND i.inspection_type <> 'INCOMING' AND i.product_id IS NOT NULL
)
