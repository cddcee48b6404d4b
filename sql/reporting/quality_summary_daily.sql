-- In-process and final inspection results per factory, product and UTC day of the inspection
-- (quality database). Defects count towards the inspection that found them; they are summed
-- per inspection first so that an inspection with several defects is not counted twice.
WITH inspected AS (
    SELECT inspection_id,
           (inspected_at AT TIME ZONE 'UTC')::date AS date,
           factory_id, product_id, units_inspected, units_passed, units_failed, rework_cost
    FROM inspections
    WHERE inspected_at >= %(start)s AND inspected_at < %(end)s
      AND inspection_type IN ('IN_PROCESS', 'FINAL')
      AND product_id IS NOT NULL
),
found AS (
    SELECT d.inspection_id,
           sum(d.quantity) FILTER (WHERE d.severity = 'CRITICAL') AS critical,
           sum(d.quantity) FILTER (WHERE d.severity = 'MAJOR')    AS major,
           sum(d.quantity) FILTER (WHERE d.severity = 'MINOR')    AS minor
    FROM defects d
    JOIN inspected i ON i.inspection_id = d.inspection_id
    GROUP BY 1
)
SELECT i.date,
       i.factory_id::bigint                                           AS factory_id,
       i.product_id::bigint                                           AS product_id,
       count(*)                                                       AS inspection_count,
       sum(i.units_inspected)                                         AS units_inspected,
       sum(i.units_passed)                                            AS units_passed,
       sum(i.units_failed)                                            AS units_failed,
       sum(i.units_failed)::numeric / nullif(sum(i.units_inspected), 0) AS defect_rate,
       coalesce(sum(f.critical), 0)                                   AS critical_defects,
       coalesce(sum(f.major), 0)                                      AS major_defects,
       coalesce(sum(f.minor), 0)                                      AS minor_defects,
       sum(i.rework_cost)                                             AS rework_cost
FROM inspected i
LEFT JOIN found f ON f.inspection_id = i.inspection_id
GROUP BY 1, 2, 3
