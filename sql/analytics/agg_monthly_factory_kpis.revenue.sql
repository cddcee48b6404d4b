-- Net revenue of non-cancelled order lines per fulfilling factory and month
-- (genims_analytics_db.fact_sales_order_line).
SELECT CAST(DATE_FORMAT(date, '%%Y-%%m-01') AS DATE)   AS period_month,
       factory_id,
       SUM(line_amount)                                 AS revenue
FROM fact_sales_order_line
WHERE date >= %(start)s AND date < %(end)s AND is_cancelled = 0
GROUP BY 1, 2
