-- Forecasts of the months in the window (crm database), one row per month and product.
SELECT period_month,
       product_id::bigint AS product_id,
       forecast_units,
       forecast_revenue
FROM sales_forecasts
WHERE period_month >= %(start)s AND period_month < %(end)s
