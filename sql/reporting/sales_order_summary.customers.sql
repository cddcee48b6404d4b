-- Region of every customer (master database), joined on customer_id.
SELECT customer_id::bigint AS customer_id, region
FROM customers
