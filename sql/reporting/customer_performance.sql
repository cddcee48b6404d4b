-- Year-to-date snapshot per customer and day of the window (erp database): every customer with
-- a non-cancelled order between 1 January of the day's year and the day. Looks back to
-- 1 January of the window's first year and computes each day on its own, so a window that
-- crosses New Year restarts the year-to-date figures exactly as single days do.
-- Payment: orders with payment_status PAID and paid_date in the year to date; their days from
-- order to payment are returned as an array because the payment terms they are compared with
-- live in the master database.
WITH days AS (
    SELECT generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day')::date AS date
),
orders AS (
    SELECT o.order_date,
           o.customer_id,
           count(*)                  AS orders,
           sum(o.total_amount)       AS sales,
           sum(u.units)              AS units
    FROM sales_orders o
    LEFT JOIN LATERAL (
        SELECT coalesce(sum(l.quantity), 0) AS units
        FROM sales_order_lines l
        WHERE l.sales_order_id = o.sales_order_id
    ) u ON true
    WHERE o.order_date >= date_trunc('year', %(start)s::date)::date AND o.order_date < %(end)s
      AND o.status <> 'CANCELLED'
    GROUP BY o.order_date, o.customer_id
),
ytd AS (
    SELECT d.date,
           o.customer_id,
           sum(o.sales)          AS ytd_sales,
           sum(o.orders)         AS ytd_orders,
           sum(o.units)          AS ytd_units_ordered,
           max(o.order_date)     AS last_order_date
    FROM days d
    JOIN orders o ON o.order_date >= date_trunc('year', d.date)::date AND o.order_date <= d.date
    GROUP BY d.date, o.customer_id
),
paid AS (
    SELECT d.date,
           o.customer_id,
           count(*)                                          AS ytd_paid_orders,
           avg(o.paid_date - o.order_date)                   AS payment_days_average,
           array_agg(o.paid_date - o.order_date)             AS payment_days
    FROM days d
    JOIN sales_orders o
      ON o.paid_date >= date_trunc('year', d.date)::date AND o.paid_date <= d.date
    WHERE o.paid_date >= date_trunc('year', %(start)s::date)::date AND o.paid_date < %(end)s
      AND o.payment_status = 'PAID'
      AND o.status <> 'CANCELLED'
    GROUP BY d.date, o.customer_id
)
SELECT y.date,
       y.customer_id::bigint                    AS customer_id,
       y.ytd_sales,
       y.ytd_orders,
       y.ytd_units_ordered,
       y.last_order_date,
       CASE WHEN y.date - y.last_order_date >= 60 THEN 'HIGH'
            WHEN y.date - y.last_order_date >= 30 THEN 'MEDIUM'
            ELSE 'LOW' END                      AS churn_risk,
       coalesce(p.ytd_paid_orders, 0)           AS ytd_paid_orders,
       p.payment_days_average,
       p.payment_days
FROM ytd y
LEFT JOIN paid p ON p.date = y.date AND p.customer_id = y.customer_id
