-- Market price of each material on each day of the window (erp): the unit price of its latest
-- purchase order line ordered on or before the day (cancelled orders excluded; on a day with
-- several orders the highest order id, then the highest line, wins). Prices are taken as booked,
-- in the order's currency.
WITH prices AS (
    SELECT DISTINCT ON (l.material_id, o.order_date)
           l.material_id, o.order_date, l.unit_price
    FROM purchase_order_lines AS l
    JOIN purchase_orders AS o ON o.purchase_order_id = l.purchase_order_id
    WHERE o.status <> 'CANCELLED' AND o.order_date < %(end)s
    ORDER BY l.material_id, o.order_date, o.purchase_order_id DESC, l.line_no DESC
)
SELECT DISTINCT ON (d::date, p.material_id)
       d::date AS date,
       p.material_id::bigint AS material_id,
       p.unit_price AS market_unit_price
FROM generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
JOIN prices AS p ON p.order_date <= d::date
ORDER BY d::date, p.material_id, p.order_date DESC
