-- Orders and revenue per customer and order day (erp database); cancelled orders never count.
-- Order frequency and growth need the 60 days ending on each day, so the query looks back 59
-- days before the window and computes each day on its own.
WITH daily AS (
    SELECT order_date         AS date,
           customer_id,
           count(*)           AS orders,
           sum(total_amount)  AS revenue
    FROM sales_orders
    WHERE order_date >= %(start)s::date - 59 AND order_date < %(end)s
      AND status <> 'CANCELLED'
    GROUP BY order_date, customer_id
)
SELECT d.date,
       d.customer_id::bigint                                    AS customer_id,
       d.orders                                                 AS total_orders,
       d.revenue                                                AS total_revenue,
       d.revenue / d.orders                                     AS average_order_value,
       sum(h.orders) FILTER (WHERE h.date > d.date - 30)        AS order_frequency,
       (coalesce(sum(h.revenue) FILTER (WHERE h.date > d.date - 30), 0)
         - sum(h.revenue) FILTER (WHERE h.date <= d.date - 30))
         / nullif(sum(h.revenue) FILTER (WHERE h.date <= d.date - 30), 0) AS growth_rate_ratio
FROM daily d
JOIN daily h ON h.customer_id = d.customer_id AND h.date > d.date - 60 AND h.date <= d.date
WHERE d.date >= %(start)s
GROUP BY d.date, d.customer_id, d.orders, d.revenue
