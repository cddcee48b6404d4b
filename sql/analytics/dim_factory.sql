-- Factories (master database).
SELECT factory_id::bigint AS factory_id, factory_code, factory_name, country, region, city,
       timezone, is_active::int AS is_active
FROM factories
