-- Analyst query: revenue by customer segment and month over a period, SCD2-correct. Each order
-- line counts under the segment its customer had on the order day, because the fact's
-- customer_key is the dim_customer version valid then (not the customer's segment today).
-- Cancelled lines are not revenue. The fact is first summed per day and customer version,
-- index-only over idx_fsol_revenue (date, is_cancelled, customer_key, date_key, line_amount);
-- the much smaller result is then joined to both dimensions on their primary keys.
SELECT d.calendar_month      AS month,
       c.segment,
       SUM(f.order_lines)    AS order_lines,
       SUM(f.revenue)        AS revenue
FROM (
    SELECT date_key, customer_key, COUNT(*) AS order_lines, SUM(line_amount) AS revenue
    FROM fact_sales_order_line
    WHERE date >= %(start)s AND date < %(end)s AND is_cancelled = 0
    GROUP BY date_key, customer_key
) f
JOIN dim_date d ON d.date_key = f.date_key
JOIN dim_customer c ON c.customer_key = f.customer_key
GROUP BY d.calendar_month, c.segment
ORDER BY month, c.segment
