-- Maintenance work orders raised for a fault and their cost (maintenance database).
SELECT fault_id::bigint AS fault_id, count(*) AS maintenance_orders,
       sum(labor_cost + parts_cost) AS repair_cost
FROM maintenance_work_orders
WHERE fault_id IS NOT NULL
GROUP BY fault_id
