-- Warehouse city and factory (master); 0 stands for a warehouse not attached to a factory (a
-- distribution centre). A small lookup, read once per materialisation.
SELECT warehouse_id::bigint AS warehouse_id,
       coalesce(factory_id, 0)::bigint AS factory_id,
       left(city, 100) AS location
FROM warehouses
