-- Material names and their master standard cost, the fallback when erp has no standard cost for
-- the day (master). A small lookup, read once per materialisation.
SELECT material_id::bigint AS material_id,
       left(material_name, 200) AS material_name,
       standard_cost AS material_standard_cost
FROM materials
