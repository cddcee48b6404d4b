-- One row per work order planned to start in the window (manufacturing database), with all
-- the labour and material booked on it so far, whenever they were booked.
WITH orders AS (
    SELECT *
    FROM work_orders
    WHERE planned_start >= %(start)s AND planned_start < %(end)s
),
labour AS (
    SELECT work_order_id, sum(hours) AS labor_hours, sum(labor_cost) AS labor_cost
    FROM labor_transactions
    WHERE work_order_id IN (SELECT work_order_id FROM orders)
    GROUP BY 1
),
material AS (
    SELECT work_order_id,
           sum(quantity * unit_cost)        AS material_cost,
           sum(scrap_quantity * unit_cost)  AS scrap_cost
    FROM material_consumption
    WHERE work_order_id IN (SELECT work_order_id FROM orders)
    GROUP BY 1
)
SELECT (o.planned_start AT TIME ZONE 'UTC')::date                       AS date,
       o.work_order_id::bigint                                          AS work_order_id,
       o.work_order_number,
       o.product_id::bigint                                             AS product_id,
       o.factory_id::bigint                                             AS factory_id,
       o.line_id::bigint                                                AS line_id,
       (o.actual_start AT TIME ZONE 'UTC')::date                        AS date_started,
       (o.actual_end AT TIME ZONE 'UTC')::date                          AS date_completed,
       o.quantity_planned,
       o.quantity_completed,
       o.quantity_scrap,
       coalesce(l.labor_hours, 0)                                       AS labor_hours_actual,
       coalesce(l.labor_cost, 0)                                        AS labor_cost,
       coalesce(m.material_cost, 0)                                     AS material_cost,
       coalesce(m.scrap_cost, 0)                                        AS scrap_cost,
       coalesce(l.labor_cost, 0) + coalesce(m.material_cost, 0)
         + coalesce(m.scrap_cost, 0)                                    AS cost_actual,
       o.status
FROM orders o
LEFT JOIN labour l ON l.work_order_id = o.work_order_id
LEFT JOIN material m ON m.work_order_id = o.work_order_id
