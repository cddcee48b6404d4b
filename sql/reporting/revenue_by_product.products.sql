-- Names of the products (master database), a lookup joined on product_id.
SELECT product_id::bigint AS product_id, product_name
FROM products
