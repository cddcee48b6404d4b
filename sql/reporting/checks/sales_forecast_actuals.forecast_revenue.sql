-- Forecast revenue of the window's months (crm).
SELECT coalesce(sum(forecast_revenue), 0)
FROM sales_forecasts
WHERE period_month >= %(start)s AND period_month < %(end)s
