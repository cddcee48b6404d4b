-- Units inspected and failed per factory and month (genims_analytics_db.fact_quality_inspection).
SELECT CAST(DATE_FORMAT(date, '%%Y-%%m-01') AS DATE)   AS period_month,
       factory_id,
       SUM(units_inspected)                             AS units_inspected,
       SUM(units_failed)                                AS units_failed
FROM fact_quality_inspection
WHERE date >= %(start)s AND date < %(end)s
GROUP BY 1, 2
