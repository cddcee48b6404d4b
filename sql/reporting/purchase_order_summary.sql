-- One row per purchase order (erp database), dated by its order date; cancelled orders keep
-- their row. On-time delivery: units received (UTC day of received_at) on or before the
-- order's due_date, capped per line at the ordered quantity so an over-delivery cannot push the
-- share above 1, over the units ordered. Cost variance: line amounts against quantity x the
-- MATERIAL standard unit cost valid on the order day (NULL as soon as one line lacks it).
WITH pos AS (
    SELECT *
    FROM purchase_orders
    WHERE order_date >= %(start)s AND order_date < %(end)s
),
receipts AS (
    SELECT g.po_line_id,
           sum(g.quantity_received) AS received,
           coalesce(sum(g.quantity_received)
                    FILTER (WHERE (g.received_at AT TIME ZONE 'UTC')::date <= p.due_date), 0)
                                    AS received_on_time
    FROM pos p
    JOIN goods_receipts g ON g.purchase_order_id = p.purchase_order_id
    GROUP BY g.po_line_id
),
lines AS (
    SELECT l.purchase_order_id,
           sum(l.quantity)                                           AS quantity_ordered,
           coalesce(sum(r.received), 0)                              AS quantity_received,
           sum(least(coalesce(r.received_on_time, 0), l.quantity))  AS quantity_on_time,
           sum(l.line_amount)                                        AS line_amount,
           CASE WHEN count(c.unit_cost) = count(*)
                THEN sum(l.quantity * c.unit_cost) END               AS standard_amount
    FROM pos p
    JOIN purchase_order_lines l ON l.purchase_order_id = p.purchase_order_id
    LEFT JOIN receipts r ON r.po_line_id = l.po_line_id
    LEFT JOIN LATERAL (
        SELECT sc.unit_cost
        FROM standard_costs sc
        WHERE sc.item_type = 'MATERIAL' AND sc.item_id = l.material_id
          AND sc.valid_from <= p.order_date AND sc.valid_to > p.order_date
        ORDER BY sc.valid_from DESC
        LIMIT 1
    ) c ON true
    GROUP BY l.purchase_order_id
)
SELECT p.order_date                                  AS date,
       p.purchase_order_id::bigint                   AS purchase_order_id,
       p.po_number,
       p.order_date,
       p.due_date,
       p.supplier_id::bigint                         AS supplier_id,
       p.buyer_employee_id::bigint                   AS buyer_id,
       p.cost_center_id::bigint                      AS cost_center_id,
       p.total_amount,
       p.status,
       p.payment_status,
       coalesce(l.quantity_ordered, 0)               AS quantity_ordered,
       coalesce(l.quantity_received, 0)              AS quantity_received,
       CASE WHEN l.quantity_received > 0
            THEN l.quantity_on_time / l.quantity_ordered END AS on_time_delivery_ratio,
       (l.line_amount - l.standard_amount) / nullif(l.standard_amount, 0) AS cost_variance_ratio
FROM pos p
LEFT JOIN lines l ON l.purchase_order_id = p.purchase_order_id
