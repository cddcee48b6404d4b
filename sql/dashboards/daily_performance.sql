-- Line dashboard: one production line's days since a date (typically the last 30), newest
-- first. Served by idx_line_perf_line_date (production_line_id, date DESC).
SELECT date,
       line_utilization_ratio,
       throughput,
       throughput_units_per_hour,
       oee_daily,
       defect_count,
       labor_hours
FROM line_performance_daily
WHERE production_line_id = %(production_line_id)s
  AND date >= %(since)s
ORDER BY date DESC
