-- Work orders completed per factory and month (genims_analytics_db.fact_production_output).
SELECT CAST(DATE_FORMAT(date, '%%Y-%%m-01') AS DATE)   AS period_month,
       factory_id,
       COUNT(*)                                         AS work_orders_completed,
       SUM(quantity_completed)                          AS quantity_completed,
       SUM(quantity_scrap)                              AS quantity_scrap,
       SUM(is_on_time)                                  AS work_orders_on_time
FROM fact_production_output
WHERE date >= %(start)s AND date < %(end)s
GROUP BY 1, 2
