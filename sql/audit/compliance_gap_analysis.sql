-- Non-conformances whose own change marker or one of whose corrective actions' markers
-- (updated_at) falls in [start, end), each with all of its actions: the gap's current state.
WITH changed AS (
    SELECT n.ncr_id
    FROM non_conformances AS n
    WHERE n.updated_at >= %(start)s AND n.updated_at < %(end)s
    UNION
    SELECT c.ncr_id
    FROM corrective_actions AS c
    WHERE c.updated_at >= %(start)s AND c.updated_at < %(end)s
),
actions AS (
    SELECT
        c.ncr_id,
        count(*) AS action_count,
        count(*) FILTER (WHERE c.status <> 'DONE') AS open_count,
        count(*) FILTER (WHERE c.status = 'OVERDUE') AS overdue_count,
        count(*) FILTER (WHERE c.status = 'DONE' AND c.effectiveness IS NULL) AS unverified_count,
        count(*) FILTER (WHERE c.status = 'DONE' AND c.effectiveness <> 'EFFECTIVE')
            AS ineffective_count,
        max(c.due_date) AS target_completion_date,
        max(c.completed_at) AS last_completed_at,
        max(c.updated_at) AS last_changed_at,
        string_agg(
            c.action_type || ': ' || c.description || ' (due ' || c.due_date::text || ', '
                || c.status || ')',
            '; ' ORDER BY c.capa_id
        ) AS remediation_plan
    FROM corrective_actions AS c
    JOIN changed AS x ON x.ncr_id = c.ncr_id
    GROUP BY c.ncr_id
)
SELECT
    n.ncr_id::bigint AS gap_id,
    n.ncr_number,
    (GREATEST(n.updated_at, a.last_changed_at) AT TIME ZONE 'UTC')::date AS analysis_date,
    (n.opened_at AT TIME ZONE 'UTC')::date AS opened_date,
    'ISO 9001:2015' AS regulation,
    CASE
        WHEN n.supplier_id IS NOT NULL
            THEN '8.4 Control of externally provided processes, products and services'
        ELSE '8.7 Control of nonconforming outputs'
    END AS regulation_clause,
    n.description AS gap_description,
    n.severity,
    n.status AS gap_status,
    n.product_id::bigint AS product_id,
    n.material_id::bigint AS material_id,
    n.supplier_id::bigint AS supplier_id,
    n.cost_impact,
    COALESCE(a.action_count, 0) AS corrective_action_count,
    COALESCE(a.open_count, 0) AS open_action_count,
    a.remediation_plan,
    a.target_completion_date,
    CASE WHEN a.open_count = 0 THEN (a.last_completed_at AT TIME ZONE 'UTC')::date END
        AS actual_completion_date,
    CASE
        WHEN a.ncr_id IS NULL THEN 'NO_ACTION_PLANNED'
        WHEN a.overdue_count > 0 THEN 'OVERDUE'
        WHEN a.open_count > 0 THEN 'IN_REMEDIATION'
        WHEN a.ineffective_count > 0 THEN 'NOT_EFFECTIVE'
        WHEN a.unverified_count > 0 THEN 'AWAITING_VERIFICATION'
        ELSE 'VERIFIED_EFFECTIVE'
    END AS verification_status
FROM changed AS x
JOIN non_conformances AS n ON n.ncr_id = x.ncr_id
LEFT JOIN actions AS a ON a.ncr_id = n.ncr_id
