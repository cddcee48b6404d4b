-- Legal holds (active ones only unless %(all)s), oldest first.
SELECT hold_id, legal_matter_id, table_name, stream_id, covers_from, covers_to, hold_reason,
       placed_by, placed_at, released_at
FROM audit_legal_hold
WHERE released_at IS NULL OR %(all)s
ORDER BY hold_id
