-- Purchase order lines by order day (erp database), priced against the MATERIAL standard cost
-- valid on the order day.
SELECT p.order_date                                           AS date,
       l.po_line_id::bigint                                   AS po_line_id,
       p.purchase_order_id::bigint                            AS purchase_order_id,
       p.po_number,
       l.line_no,
       p.supplier_id::bigint                                  AS supplier_id,
       l.material_id::bigint                                  AS material_id,
       p.factory_id::bigint                                   AS factory_id,
       p.buyer_employee_id::bigint                            AS buyer_employee_id,
       p.cost_center_id::bigint                               AS cost_center_id,
       p.status                                               AS po_status,
       p.currency,
       l.due_date,
       l.quantity,
       l.unit_price,
       l.line_amount,
       c.unit_cost                                            AS standard_unit_cost,
       l.quantity * c.unit_cost                               AS standard_amount,
       l.line_amount - l.quantity * c.unit_cost               AS price_variance_amount
FROM purchase_orders p
JOIN purchase_order_lines l ON l.purchase_order_id = p.purchase_order_id
LEFT JOIN LATERAL (
    SELECT sc.unit_cost
    FROM standard_costs sc
    WHERE sc.item_type = 'MATERIAL' AND sc.item_id = l.material_id
      AND sc.valid_from <= p.order_date AND p.order_date < sc.valid_to
    ORDER BY sc.valid_from DESC
    LIMIT 1
) c ON true
WHERE p.order_date >= %(start)s AND p.order_date < %(end)s
