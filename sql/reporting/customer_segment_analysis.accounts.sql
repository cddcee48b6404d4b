-- Segment of every customer with a CRM account (crm database), joined on customer_id.
SELECT customer_id::bigint AS customer_id, segment
FROM customer_accounts
