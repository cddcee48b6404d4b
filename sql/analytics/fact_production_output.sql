-- Work orders completed in the window (manufacturing database), on their completion day
-- (UTC), with all the labour and material ever booked on them.
WITH orders AS (
    SELECT *
    FROM work_orders
    WHERE status IN ('COMPLETED', 'CLOSED')
      AND actual_end >= %(start)s AND actual_end < %(end)s
),
labour AS (
    SELECT work_order_id, sum(hours) AS labor_hours, sum(labor_cost) AS labor_cost
    FROM labor_transactions
    WHERE work_order_id IN (SELECT work_order_id FROM orders)
    GROUP BY 1
),
material AS (
    SELECT work_order_id,
           sum(quantity * unit_cost)       AS material_cost,
           sum(scrap_quantity * unit_cost) AS scrap_cost
    FROM material_consumption
    WHERE work_order_id IN (SELECT work_order_id FROM orders)
    GROUP BY 1
)
SELECT (o.actual_end AT TIME ZONE 'UTC')::date                           AS date,
       o.work_order_id::bigint                                           AS work_order_id,
       o.work_order_number,
       o.product_id::bigint                                              AS product_id,
       o.line_id::bigint                                                 AS line_id,
       o.factory_id::bigint                                              AS factory_id,
       o.sales_order_id::bigint                                          AS sales_order_id,
       o.status,
       (o.actual_start AT TIME ZONE 'UTC')::date                         AS start_date,
       o.quantity_planned,
       o.quantity_completed,
       o.quantity_scrap,
       extract(epoch FROM o.actual_end - o.actual_start) / 3600.0        AS production_hours,
       extract(epoch FROM o.actual_end - o.planned_end) / 3600.0         AS delay_hours,
       (o.actual_end <= o.planned_end)::int                              AS is_on_time,
       coalesce(lb.labor_hours, 0)                                       AS labor_hours,
       coalesce(lb.labor_cost, 0)                                        AS labor_cost,
       coalesce(m.material_cost, 0)                                      AS material_cost,
       coalesce(m.scrap_cost, 0)                                         AS scrap_cost
FROM orders o
LEFT JOIN labour lb ON lb.work_order_id = o.work_order_id
LEFT JOIN material m ON m.work_order_id = o.work_order_id
