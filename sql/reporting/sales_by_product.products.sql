-- Name and category of every product (master database), joined on product_id.
SELECT product_id::bigint AS product_id, product_name, category
FROM products
