-- Disputes whose change marker (updated_at) falls in [start, end): their current state.
SELECT
    d.dispute_id::bigint AS dispute_id,
    d.dispute_number,
    (d.opened_at AT TIME ZONE 'UTC')::date AS dispute_date,
    d.opened_at,
    d.dispute_type,
    'GENIMS' AS party_1,
    concat_ws(', ', 'CUSTOMER ' || d.customer_id, 'SUPPLIER ' || d.supplier_id) AS party_2,
    d.customer_id::bigint AS customer_id,
    d.supplier_id::bigint AS supplier_id,
    d.amount_in_dispute,
    d.status,
    (d.resolved_at AT TIME ZONE 'UTC')::date AS resolution_date,
    round((extract(epoch FROM d.resolved_at - d.opened_at) / 86400)::numeric, 2)
        AS days_to_resolution,
    d.resolution_method,
    d.settlement_amount
FROM disputes AS d
WHERE d.updated_at >= %(start)s AND d.updated_at < %(end)s
