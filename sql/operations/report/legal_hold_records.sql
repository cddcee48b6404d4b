-- Legal holds placed or released during the report day (the business record of each hold).
SELECT created_at, hold_id, action, legal_matter_id, case_name
FROM legal_hold_records
WHERE created_at >= %(start)s AND created_at < %(end)s
ORDER BY created_at, stream_seq
