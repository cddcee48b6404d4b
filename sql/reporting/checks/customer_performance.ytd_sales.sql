-- Sum over the window's days of the year-to-date value of non-cancelled orders (erp), order by
-- order: each order counts once for every day of the window from its order day to 31 December.
SELECT coalesce(sum(
    o.total_amount * (
        least(%(end)s::date, (date_trunc('year', o.order_date) + interval '1 year')::date)
        - greatest(%(start)s::date, o.order_date)
    )
), 0)
FROM sales_orders o
WHERE o.status <> 'CANCELLED'
  AND o.order_date < %(end)s
  AND o.order_date >= date_trunc('year', %(start)s::date)::date
  AND (date_trunc('year', o.order_date) + interval '1 year')::date > %(start)s::date
