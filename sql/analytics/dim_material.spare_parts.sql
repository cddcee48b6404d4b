-- Materials that maintenance stocks as spare parts (maintenance database).
SELECT material_id::bigint AS material_id, count(*) AS spare_part_count
FROM spare_parts
GROUP BY material_id
