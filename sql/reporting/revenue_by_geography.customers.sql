-- Location of the customers (master database), a lookup joined on customer_id.
SELECT customer_id::bigint AS customer_id, country, region, city
FROM customers
