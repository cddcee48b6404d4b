-- The MATERIAL standard cost valid on each day of the window (erp database).
SELECT d::date AS date, sc.item_id::bigint AS material_id, sc.unit_cost AS standard_unit_cost
FROM generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
JOIN LATERAL (
    SELECT DISTINCT ON (item_id) item_id, unit_cost
    FROM standard_costs
    WHERE item_type = 'MATERIAL' AND valid_from <= d::date AND d::date < valid_to
    ORDER BY item_id, valid_from DESC
) sc ON true
