-- Factory production dashboard: plan versus actual and cost of every line of one factory since
-- a date (typically the last 30 days), newest first. Served by idx_prod_summary_factory_date
-- (factory_id, date DESC).
SELECT date,
       line_id,
       planned_quantity,
       actual_quantity,
       variance_ratio,
       labor_hours,
       material_cost,
       overhead_cost
FROM production_summary_daily
WHERE factory_id = %(factory_id)s
  AND date >= %(since)s
ORDER BY date DESC, line_id
