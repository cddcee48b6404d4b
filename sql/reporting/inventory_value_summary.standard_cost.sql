-- Standard cost of each material valid on each day of the window (erp, valid_to exclusive; the
-- latest valid_from wins if validity periods overlap). Shared by the tables that value stock at
-- cost; materials without one fall back to master.materials.standard_cost in the table's derive.
SELECT DISTINCT ON (d::date, c.item_id)
       d::date AS date,
       c.item_id::bigint AS material_id,
       c.unit_cost AS standard_unit_cost
FROM generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
JOIN standard_costs AS c
  ON c.item_type = 'MATERIAL' AND c.valid_from <= d::date AND c.valid_to > d::date
ORDER BY d::date, c.item_id, c.valid_from DESC
