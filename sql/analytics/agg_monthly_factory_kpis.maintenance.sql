-- Maintenance work orders completed per factory and month and their cost
-- (genims_analytics_db.fact_maintenance_work_order).
SELECT CAST(DATE_FORMAT(date, '%%Y-%%m-01') AS DATE)   AS period_month,
       factory_id,
       COUNT(*)                                         AS maintenance_orders_completed,
       SUM(total_cost)                                  AS maintenance_cost
FROM fact_maintenance_work_order
WHERE date >= %(start)s AND date < %(end)s AND factory_id IS NOT NULL
GROUP BY 1, 2
