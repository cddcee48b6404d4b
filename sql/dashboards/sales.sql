-- Sales dashboard, customer page: one customer's daily orders, revenue, 30-day order frequency
-- and growth over the 30 days up to a day, newest first (index idx_sales_customer_date).
SELECT date,
       customer_name,
       total_orders,
       total_revenue,
       average_order_value,
       order_frequency,
       growth_rate_ratio
FROM sales_by_customer
WHERE customer_id = %(customer_id)s
  AND date > %(as_of)s - INTERVAL 30 DAY
  AND date <= %(as_of)s
ORDER BY date DESC
