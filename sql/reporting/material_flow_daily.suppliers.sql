-- Suppliers each factory received each material from in the 90 days ending with each day of the
-- window (erp): goods receipts of the material, their purchase order's supplier and factory.
SELECT DISTINCT
       d::date AS date,
       r.material_id::bigint AS material_id,
       o.factory_id::bigint AS factory_id,
       o.supplier_id::bigint AS supplier_id
FROM generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day') AS d
JOIN goods_receipts AS r
  ON r.received_at >= d::date - 89 AND r.received_at < d::date + 1
JOIN purchase_orders AS o ON o.purchase_order_id = r.purchase_order_id
