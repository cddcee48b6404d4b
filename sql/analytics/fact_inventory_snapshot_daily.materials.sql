-- The master-data standard cost of every material (master database), used when erp has no
-- standard cost valid on the day.
SELECT material_id::bigint AS material_id, standard_cost AS master_standard_cost
FROM materials
