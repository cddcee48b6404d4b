-- Warranty claims whose change marker (updated_at) falls in [start, end): their current state.
SELECT
    w.claim_id::bigint AS claim_id,
    w.claim_number,
    w.claim_date,
    w.product_id::bigint AS product_id,
    w.customer_id::bigint AS customer_id,
    w.ticket_id::bigint AS ticket_id,
    w.claim_amount,
    w.status AS claim_status,
    (w.approved_at AT TIME ZONE 'UTC')::date AS approval_date,
    w.approved_by_employee_id::bigint AS approved_by,
    w.payout_date,
    w.settlement_amount,
    w.failure_description
FROM warranty_claims AS w
WHERE w.updated_at >= %(start)s AND w.updated_at < %(end)s
