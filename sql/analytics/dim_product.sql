-- Products (master database); changed_master = the day of the row's change marker (UTC).
SELECT product_id::bigint AS product_id, sku, product_name, category, product_family,
       unit_of_measure, list_price, standard_cost, lifecycle_status, launch_date,
       (updated_at AT TIME ZONE 'UTC')::date AS changed_master
FROM products
