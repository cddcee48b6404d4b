-- Code of every factory (master database), the plant location, joined on factory_id.
SELECT factory_id::bigint AS factory_id, factory_code AS plant_location
FROM factories
