-- Inspections of the window (quality database), on their UTC day, with their defects summed
-- per inspection.
WITH inspected AS (
    SELECT *
    FROM inspections
    WHERE inspected_at >= %(start)s AND inspected_at < %(end)s
),
found AS (
    SELECT d.inspection_id,
           count(*)                                               AS records,
           sum(d.quantity)                                        AS quantity,
           sum(d.quantity) FILTER (WHERE d.severity = 'CRITICAL') AS critical,
           sum(d.quantity) FILTER (WHERE d.severity = 'MAJOR')    AS major,
           sum(d.quantity) FILTER (WHERE d.severity = 'MINOR')    AS minor
    FROM defects d
    JOIN inspected i ON i.inspection_id = d.inspection_id
    GROUP BY 1
)
SELECT (i.inspected_at AT TIME ZONE 'UTC')::date  AS date,
       i.inspection_id::bigint                    AS inspection_id,
       i.inspection_number,
       i.inspection_type,
       i.result,
       i.factory_id::bigint                       AS factory_id,
       i.line_id::bigint                          AS line_id,
       i.product_id::bigint                       AS product_id,
       i.material_id::bigint                      AS material_id,
       i.supplier_id::bigint                      AS supplier_id,
       i.inspector_employee_id::bigint            AS inspector_employee_id,
       i.work_order_id::bigint                    AS work_order_id,
       i.goods_receipt_id::bigint                 AS goods_receipt_id,
       i.units_inspected,
       i.units_passed,
       i.units_failed,
       i.rework_cost,
       coalesce(f.records, 0)                     AS defect_records,
       coalesce(f.quantity, 0)                    AS defect_quantity,
       coalesce(f.critical, 0)                    AS critical_defects,
       coalesce(f.major, 0)                       AS major_defects,
       coalesce(f.minor, 0)                       AS minor_defects
FROM inspected i
LEFT JOIN found f ON f.inspection_id = i.inspection_id
