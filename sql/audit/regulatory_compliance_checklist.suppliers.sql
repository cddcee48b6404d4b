-- ISO 9001:2015 8.4 for each review day in [start, end): every supplier under contract that day
-- (a non-draft contract whose term covers the day, not terminated) holds an ISO 9001 certificate
-- valid that day (issued on or before it, expiring on or after it, not suspended).
WITH days AS (
    SELECT d::date AS review_date
    FROM generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 day',
                         interval '1 day') AS d
),
contracted AS (
    SELECT DISTINCT days.review_date, c.supplier_id
    FROM days
    JOIN contracts AS c
        ON c.start_date <= days.review_date AND c.end_date >= days.review_date
       AND c.status IN ('ACTIVE', 'EXPIRED')
),
checked AS (
    SELECT k.review_date, k.supplier_id,
           NOT EXISTS (
               SELECT 1 FROM certifications AS z
               WHERE z.supplier_id = k.supplier_id
                 AND z.certification_type = 'ISO 9001'
                 AND z.status <> 'SUSPENDED'
                 AND z.issued_date <= k.review_date
                 AND z.expiry_date >= k.review_date
           ) AS failed
    FROM contracted AS k
),
per_day AS (
    SELECT
        days.review_date,
        count(c.supplier_id) AS checked,
        count(c.supplier_id) FILTER (WHERE c.failed) AS failed,
        (SELECT string_agg('supplier ' || f.supplier_id, ', ' ORDER BY f.supplier_id)
         FROM (SELECT c2.supplier_id FROM checked AS c2
               WHERE c2.review_date = days.review_date AND c2.failed
               ORDER BY c2.supplier_id LIMIT 5) AS f) AS sample
    FROM days
    LEFT JOIN checked AS c ON c.review_date = days.review_date
    GROUP BY days.review_date
)
SELECT
    to_char(p.review_date, 'YYYY-MM-DD') || '/ISO9001-8.4-SUPPLIER-CERT' AS checklist_id,
    p.review_date,
    'ISO 9001:2015' AS regulation_name,
    'ISO9001-8.4-SUPPLIER-CERT' AS requirement_code,
    'Suppliers under contract hold a valid ISO 9001 certificate' AS requirement_item,
    CASE
        WHEN p.checked = 0 THEN 'NOT_APPLICABLE'
        WHEN p.failed = 0 THEN 'COMPLIANT'
        ELSE 'NON_COMPLIANT'
    END AS status,
    p.checked::bigint AS items_checked,
    p.failed::bigint AS items_failed,
    p.failed || ' of ' || p.checked
        || ' suppliers under contract have no valid ISO 9001 certificate'
        || COALESCE(': ' || p.sample || CASE WHEN p.failed > 5 THEN ', ...' ELSE '' END, '')
        AS evidence,
    CASE
        WHEN p.failed > 0
            THEN 'Request the current ISO 9001 certificate from the suppliers listed, or '
                 || 'qualify them by a second-party audit'
    END AS remediation_plan
FROM per_day AS p
