-- Per supplier and day (erp database): purchase orders placed that day (cancelled ones never
-- count as spend) and goods received that day (UTC day of received_at), on time when received
-- on or before the due_date of the purchase order. A supplier gets a row on a day with either.
WITH orders AS (
    SELECT order_date AS date, supplier_id, count(*) AS total_orders, sum(total_amount) AS spent
    FROM purchase_orders
    WHERE order_date >= %(start)s AND order_date < %(end)s
      AND status <> 'CANCELLED'
    GROUP BY order_date, supplier_id
),
receipts AS (
    SELECT (g.received_at AT TIME ZONE 'UTC')::date AS date,
           p.supplier_id,
           count(*)                                 AS deliveries,
           count(*) FILTER (WHERE (g.received_at AT TIME ZONE 'UTC')::date <= p.due_date)
                                                    AS on_time
    FROM goods_receipts g
    JOIN purchase_orders p ON p.purchase_order_id = g.purchase_order_id
    WHERE g.received_at >= %(start)s AND g.received_at < %(end)s
    GROUP BY 1, 2
)
SELECT coalesce(o.date, r.date)                          AS date,
       coalesce(o.supplier_id, r.supplier_id)::bigint    AS supplier_id,
       coalesce(o.total_orders, 0)                       AS total_orders,
       coalesce(o.spent, 0)                              AS total_spent,
       coalesce(r.deliveries, 0)                         AS deliveries_received,
       r.on_time::numeric / nullif(r.deliveries, 0)      AS on_time_delivery_ratio
FROM orders o
FULL JOIN receipts r ON r.date = o.date AND r.supplier_id = o.supplier_id
