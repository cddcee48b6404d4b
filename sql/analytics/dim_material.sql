-- Materials (master database).
SELECT material_id::bigint AS material_id, material_code, material_name, material_type,
       unit_of_measure, standard_cost, lead_time_days, shelf_life_days
FROM materials
