-- Warehouses with their factory (master database).
SELECT w.warehouse_id::bigint AS warehouse_id, w.warehouse_code, w.warehouse_name,
       w.warehouse_type, w.country, w.city, w.factory_id::bigint AS factory_id, f.factory_name
FROM warehouses w
LEFT JOIN factories f ON f.factory_id = w.factory_id
