-- SKU of every product (master database), a lookup joined on product_id.
SELECT product_id::bigint AS product_id, sku
FROM products
