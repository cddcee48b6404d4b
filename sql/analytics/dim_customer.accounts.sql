-- The CRM account of each customer (crm database): segment, lifecycle stage, account manager.
SELECT customer_id::bigint AS customer_id, segment, lifecycle_stage,
       account_manager_rep_id::bigint AS account_manager_rep_id,
       (updated_at AT TIME ZONE 'UTC')::date AS changed_crm
FROM customer_accounts
