-- Every product recall, whole table (a few a year).
SELECT
    r.recall_id::bigint AS recall_id,
    r.recall_number,
    (r.initiated_at AT TIME ZONE 'UTC')::date AS recall_date,
    r.product_id::bigint AS product_id,
    r.recall_reason,
    r.units_affected,
    r.units_recalled,
    r.units_returned,
    r.units_destroyed,
    r.units_recalled::numeric / NULLIF(r.units_affected, 0) AS recall_effectiveness_ratio,
    r.regulatory_authority,
    r.status AS recall_status,
    (r.completed_at AT TIME ZONE 'UTC')::date AS completion_date
FROM recalls AS r
