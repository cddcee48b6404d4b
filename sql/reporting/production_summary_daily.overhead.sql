-- Standard overhead cost per unit of every product on every day of the window (erp database):
-- the PRODUCT standard cost valid that day (valid_from <= day < valid_to; the latest valid_from
-- wins if ranges overlap). Products without a valid cost that day are absent.
SELECT day::date                    AS date,
       p.item_id::bigint            AS product_id,
       c.overhead_cost              AS overhead_unit_cost
FROM generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS day
CROSS JOIN (SELECT DISTINCT item_id FROM standard_costs WHERE item_type = 'PRODUCT') p
CROSS JOIN LATERAL (
    SELECT sc.overhead_cost
    FROM standard_costs sc
    WHERE sc.item_type = 'PRODUCT' AND sc.item_id = p.item_id
      AND sc.valid_from <= day::date AND sc.valid_to > day::date
    ORDER BY sc.valid_from DESC
    LIMIT 1
) c
