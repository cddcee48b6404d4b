-- The compliance evidence of each supplier that has any, whole table (a few certifications
-- and one audit a year per supplier). Validity is the source's certification status: the
-- supplier module marks a certificate EXPIRED (a change) when it runs out.
WITH evidence AS (
    SELECT supplier_id, max(updated_at) AS changed_at
    FROM (
        SELECT supplier_id, updated_at FROM certifications
        UNION ALL
        SELECT supplier_id, updated_at FROM supplier_audits
    ) AS e
    GROUP BY supplier_id
),
certs AS (
    SELECT
        c.supplier_id,
        count(*) AS certification_count,
        count(*) FILTER (WHERE c.status = 'VALID') AS valid_certification_count,
        string_agg(c.certification_type || ' until ' || c.expiry_date::text, '; '
                   ORDER BY c.certification_type, c.expiry_date, c.certification_id)
            FILTER (WHERE c.status = 'VALID') AS certifications,
        bool_or(c.status = 'VALID' AND c.certification_type = 'ISO 9001') AS has_iso_9001
    FROM certifications AS c
    GROUP BY c.supplier_id
),
last_audit AS (
    SELECT DISTINCT ON (a.supplier_id)
        a.supplier_id, a.audit_date, a.result, a.score,
        COALESCE(a.next_audit_due, a.audit_date + 365) AS next_audit_required_date
    FROM supplier_audits AS a
    ORDER BY a.supplier_id, a.audit_date DESC, a.supplier_audit_id DESC
)
SELECT
    e.supplier_id::bigint AS vendor_id,
    (e.changed_at AT TIME ZONE 'UTC')::date AS assessment_date,
    round(
        0.6 * COALESCE(l.score, 0)
        + 0.4 * 100 * COALESCE(c.valid_certification_count::numeric
                               / NULLIF(c.certification_count, 0), 0),
        2
    ) AS compliance_score,
    CASE
        WHEN COALESCE(c.valid_certification_count, 0) = 0 OR l.result = 'FAIL'
            THEN 'NON_COMPLIANT'
        WHEN l.supplier_id IS NULL OR l.result = 'CONDITIONAL'
             OR c.valid_certification_count < c.certification_count
            THEN 'CONDITIONAL'
        ELSE 'COMPLIANT'
    END AS compliance_status,
    c.certifications,
    COALESCE(c.certification_count, 0) AS certification_count,
    COALESCE(c.valid_certification_count, 0) AS valid_certification_count,
    CASE WHEN c.has_iso_9001 THEN 'YES' ELSE 'NO' END AS has_iso_9001,
    l.audit_date AS last_audit_date,
    l.result AS last_audit_result,
    l.score AS last_audit_score,
    l.next_audit_required_date
FROM evidence AS e
LEFT JOIN certs AS c ON c.supplier_id = e.supplier_id
LEFT JOIN last_audit AS l ON l.supplier_id = e.supplier_id
