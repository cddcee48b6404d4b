-- Plan versus actual per line and UTC day (manufacturing database), kept per product so that
-- each product's standard overhead rate (erp) can be applied before the rows are summed per line.
-- Planned and actual quantities belong to the day of the work order's planned start (cancelled
-- orders are no longer a plan); labour and material belong to the day they were booked, on
-- whichever of the line's orders they were booked.
WITH planned AS (
    SELECT (planned_start AT TIME ZONE 'UTC')::date  AS date,
           line_id, factory_id, product_id,
           sum(quantity_planned)                     AS planned_quantity,
           sum(quantity_completed)                   AS actual_quantity
    FROM work_orders
    WHERE planned_start >= %(start)s AND planned_start < %(end)s
      AND status <> 'CANCELLED'
    GROUP BY 1, 2, 3, 4
),
labour AS (
    SELECT t.work_date AS date, w.line_id, w.factory_id, w.product_id, sum(t.hours) AS labor_hours
    FROM labor_transactions t
    JOIN work_orders w ON w.work_order_id = t.work_order_id
    WHERE t.work_date >= %(start)s AND t.work_date < %(end)s
    GROUP BY 1, 2, 3, 4
),
material AS (
    SELECT (c.consumed_at AT TIME ZONE 'UTC')::date  AS date,
           w.line_id, w.factory_id, w.product_id,
           sum(c.quantity * c.unit_cost)             AS material_cost
    FROM material_consumption c
    JOIN work_orders w ON w.work_order_id = c.work_order_id
    WHERE c.consumed_at >= %(start)s AND c.consumed_at < %(end)s
    GROUP BY 1, 2, 3, 4
)
SELECT date,
       line_id::bigint                    AS line_id,
       factory_id::bigint                 AS factory_id,
       product_id::bigint                 AS product_id,
       coalesce(p.planned_quantity, 0)    AS planned_quantity,
       coalesce(p.actual_quantity, 0)     AS actual_quantity,
       coalesce(l.labor_hours, 0)         AS labor_hours,
       coalesce(m.material_cost, 0)       AS material_cost
FROM planned p
FULL JOIN labour l USING (date, line_id, factory_id, product_id)
FULL JOIN material m USING (date, line_id, factory_id, product_id)
