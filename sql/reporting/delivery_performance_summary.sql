-- Goods receipts per supplier and UTC day of received_at (erp database). A receipt is on time
-- when its day is on or before the due_date of its purchase order line; days late = receipt day
-- - line due_date, averaged over late receipts only.
WITH receipts AS (
    SELECT (g.received_at AT TIME ZONE 'UTC')::date AS date,
           p.supplier_id,
           l.due_date,
           g.quantity_received,
           g.quantity_accepted
    FROM goods_receipts g
    JOIN purchase_order_lines l ON l.po_line_id = g.po_line_id
    JOIN purchase_orders p ON p.purchase_order_id = l.purchase_order_id
    WHERE g.received_at >= %(start)s AND g.received_at < %(end)s
)
SELECT date,
       supplier_id::bigint                                               AS supplier_id,
       count(*)                                                          AS total_deliveries,
       count(*) FILTER (WHERE date <= due_date)                          AS on_time_deliveries,
       count(*) FILTER (WHERE date <= due_date)::numeric / count(*)      AS on_time_delivery_ratio,
       avg(date - due_date) FILTER (WHERE date > due_date)               AS average_days_late,
       sum(quantity_received)                                            AS quantity_received,
       sum(quantity_accepted)                                            AS quantity_accepted,
       sum(quantity_accepted) / nullif(sum(quantity_received), 0)        AS quality_acceptance_rate_ratio
FROM receipts
GROUP BY date, supplier_id
