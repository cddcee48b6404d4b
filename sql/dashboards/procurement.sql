-- Procurement dashboard, supplier scorecard: one supplier's daily deliveries, punctuality,
-- lateness and quality acceptance over the 90 days up to a day, newest first
-- (index idx_delivery_perf_supplier_date).
SELECT date,
       total_deliveries,
       on_time_deliveries,
       on_time_delivery_ratio,
       average_days_late,
       quality_acceptance_rate_ratio
FROM delivery_performance_summary
WHERE supplier_id = %(supplier_id)s
  AND date > %(as_of)s - INTERVAL 90 DAY
  AND date <= %(as_of)s
ORDER BY date DESC
