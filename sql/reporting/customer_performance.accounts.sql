-- Current net promoter score of every customer account (crm database), joined on customer_id.
SELECT customer_id::bigint AS customer_id, nps_score
FROM customer_accounts
