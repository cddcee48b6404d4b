-- Legal holds the purge trigger enforced at the end of the report day: placed before it and
-- not released by then (for the current day: every hold with released_at IS NULL).
SELECT hold_id, legal_matter_id, table_name, stream_id, covers_from, covers_to, placed_by,
       placed_at
FROM audit_legal_hold
WHERE placed_at < %(end)s AND (released_at IS NULL OR released_at >= %(end)s)
ORDER BY placed_at, hold_id
