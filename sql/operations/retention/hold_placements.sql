-- The PLACED record of every hold: case name, expiration date and what it covers.
SELECT hold_id, case_name, hold_expiration_date, affected_entities
FROM legal_hold_records
WHERE action = 'PLACED'
ORDER BY stream_seq
