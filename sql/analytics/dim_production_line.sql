-- Production lines with their factory (master database).
SELECT l.line_id::bigint AS line_id, l.line_code, l.line_name, l.line_type,
       l.design_capacity_units_per_hour, l.is_active::int AS is_active,
       l.factory_id::bigint AS factory_id, f.factory_code, f.factory_name
FROM production_lines l
LEFT JOIN factories f ON f.factory_id = l.factory_id
