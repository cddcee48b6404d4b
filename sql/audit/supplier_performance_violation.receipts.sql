-- LATE_DELIVERY violations among the goods receipts of [start, end) (insert-only, marker
-- received_at): received more than 7 days after the purchase order's due date (UTC days).
-- HIGH beyond 30 days, MEDIUM beyond 14, else LOW; remediation is required from MEDIUM up.
WITH late AS (
    SELECT g.goods_receipt_id, g.gr_number, g.material_id, g.quantity_received,
           p.po_number, p.supplier_id, p.due_date,
           (g.received_at AT TIME ZONE 'UTC')::date AS received_day,
           (g.received_at AT TIME ZONE 'UTC')::date - p.due_date AS days_late
    FROM goods_receipts AS g
    JOIN purchase_orders AS p ON p.purchase_order_id = g.purchase_order_id
    WHERE g.received_at >= %(start)s AND g.received_at < %(end)s
      AND (g.received_at AT TIME ZONE 'UTC')::date - p.due_date > 7
)
SELECT
    'LATE_DELIVERY:' || l.goods_receipt_id AS violation_id,
    l.received_day AS violation_date,
    l.supplier_id::bigint AS supplier_id,
    'LATE_DELIVERY' AS violation_type,
    CASE WHEN l.days_late > 30 THEN 'HIGH' WHEN l.days_late > 14 THEN 'MEDIUM' ELSE 'LOW' END
        AS severity,
    'goods_receipts ' || l.gr_number || ' (' || l.po_number || ')' AS source_reference,
    l.days_late::numeric AS measured_value,
    7::numeric AS threshold_value,
    l.quantity_received || ' of material ' || l.material_id || ' received ' || l.days_late
        || ' days after the due date ' || l.due_date::text AS impact_on_operations,
    CASE WHEN l.days_late > 14 THEN 'YES' ELSE 'NO' END AS remediation_required,
    CASE
        WHEN l.days_late > 14
            THEN 'Expediting review with the supplier; confirm delivery dates of open orders'
    END AS corrective_action_plan
FROM late AS l
