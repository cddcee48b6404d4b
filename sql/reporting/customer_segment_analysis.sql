-- Revenue per customer and day of the window (erp database), for every customer with a
-- non-cancelled order in the 60 days ending on the day: the day's revenue, the revenue of the
-- 30 days ending on the day and of the 30 days before those. Looks back 59 days explicitly so
-- each day is independent of the window; the segment comes from the CRM, so the rows are
-- grouped by segment after the join.
WITH days AS (
    SELECT generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day')::date AS date
),
daily AS (
    SELECT order_date, customer_id, sum(total_amount) AS revenue
    FROM sales_orders
    WHERE order_date >= %(start)s::date - 59 AND order_date < %(end)s
      AND status <> 'CANCELLED'
    GROUP BY order_date, customer_id
)
SELECT d.date,
       o.customer_id::bigint                                                    AS customer_id,
       coalesce(sum(o.revenue) FILTER (WHERE o.order_date = d.date), 0)         AS revenue_day,
       coalesce(sum(o.revenue) FILTER (WHERE o.order_date > d.date - 30), 0)    AS revenue_30d,
       coalesce(sum(o.revenue) FILTER (WHERE o.order_date <= d.date - 30), 0)   AS revenue_prev_30d
FROM days d
JOIN daily o ON o.order_date > d.date - 60 AND o.order_date <= d.date
GROUP BY d.date, o.customer_id
