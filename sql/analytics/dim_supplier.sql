-- Suppliers (master database). changed_master = day of the change marker (UTC).
SELECT supplier_id::bigint AS supplier_id, supplier_code, supplier_name, supplier_category,
       country, region, city, payment_terms_days, is_active::int AS is_active,
       (updated_at AT TIME ZONE 'UTC')::date AS changed_master
FROM suppliers
