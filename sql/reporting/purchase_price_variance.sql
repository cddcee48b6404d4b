-- Purchase price variance per material, supplier and order day (erp database); cancelled
-- purchase orders never count. The standard price is the MATERIAL standard unit cost valid on
-- the order day (valid_from <= day < valid_to; the latest valid_from wins if ranges overlap).
WITH lines AS (
    SELECT p.order_date          AS date,
           l.material_id,
           p.supplier_id,
           sum(l.quantity)               AS quantity_ordered,
           sum(l.quantity * l.unit_price) AS amount_at_unit_price
    FROM purchase_orders p
    JOIN purchase_order_lines l ON l.purchase_order_id = p.purchase_order_id
    WHERE p.order_date >= %(start)s AND p.order_date < %(end)s
      AND p.status <> 'CANCELLED'
    GROUP BY p.order_date, l.material_id, p.supplier_id
)
SELECT l.date,
       l.material_id::bigint                                          AS material_id,
       l.supplier_id::bigint                                          AS supplier_id,
       c.unit_cost                                                    AS standard_price,
       l.amount_at_unit_price / l.quantity_ordered                    AS actual_price,
       (l.amount_at_unit_price / l.quantity_ordered - c.unit_cost) / nullif(c.unit_cost, 0)
                                                                      AS unit_price_variance_ratio,
       l.quantity_ordered,
       l.amount_at_unit_price - l.quantity_ordered * c.unit_cost      AS total_variance_amount
FROM lines l
LEFT JOIN LATERAL (
    SELECT sc.unit_cost
    FROM standard_costs sc
    WHERE sc.item_type = 'MATERIAL' AND sc.item_id = l.material_id
      AND sc.valid_from <= l.date AND sc.valid_to > l.date
    ORDER BY sc.valid_from DESC
    LIMIT 1
) c ON true
