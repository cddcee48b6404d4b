-- Quality holds whose change marker (updated_at) falls in [start, end): their current state.
-- A release is documented when its disposition, analysis and releasing employee are recorded.
SELECT
    h.hold_id::bigint AS hold_id,
    h.hold_number,
    (h.placed_at AT TIME ZONE 'UTC')::date AS hold_date,
    h.placed_at,
    h.material_id::bigint AS material_id,
    h.product_id::bigint AS product_id,
    h.warehouse_id::bigint AS warehouse_id,
    h.quantity AS quantity_on_hold,
    h.reason AS reason_on_hold,
    h.placed_by_employee_id::bigint AS placed_by,
    CASE WHEN h.released_at IS NULL THEN 'ON_HOLD' ELSE 'RELEASED' END AS hold_status,
    (h.released_at AT TIME ZONE 'UTC')::date AS released_date,
    h.released_by_employee_id::bigint AS released_by,
    round((extract(epoch FROM h.released_at - h.placed_at) / 3600)::numeric, 2) AS hours_on_hold,
    h.disposition,
    h.analysis_performed,
    h.root_cause AS root_cause_identified,
    CASE
        WHEN h.released_at IS NULL THEN NULL
        WHEN h.disposition IS NOT NULL AND h.analysis_performed IS NOT NULL
             AND h.released_by_employee_id IS NOT NULL THEN 'YES'
        ELSE 'NO'
    END AS release_documented
FROM quality_holds AS h
WHERE h.updated_at >= %(start)s AND h.updated_at < %(end)s
