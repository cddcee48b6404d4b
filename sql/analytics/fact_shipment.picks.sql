-- When the last pick of each sales order was done (wms database).
SELECT sales_order_id::bigint AS sales_order_id, max(picked_at) AS last_picked_at
FROM pick_tasks
WHERE picked_at IS NOT NULL
GROUP BY sales_order_id
