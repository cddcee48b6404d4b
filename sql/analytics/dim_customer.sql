-- Customers (master database); contact data stays out. changed_master = day of the change
-- marker (UTC).
SELECT customer_id::bigint AS customer_id, customer_code, customer_name, customer_type, industry,
       country, region, city, credit_limit, payment_terms_days, is_active::int AS is_active,
       (updated_at AT TIME ZONE 'UTC')::date AS changed_master
FROM customers
