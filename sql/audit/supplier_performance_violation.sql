-- Violations found in the supplier module among the records whose change marker (updated_at)
-- falls in [start, end):
-- * LOW_RATING: a monthly scorecard with overall_score below 3.00 of 5; HIGH below 2.00,
--   MEDIUM below 2.50, else LOW;
-- * FAILED_AUDIT: a supplier audit with result FAIL (the auditor's verdict); HIGH;
-- * EXPIRED_CERTIFICATION: a certification with status EXPIRED; HIGH for ISO 9001, else MEDIUM.
-- Every one requires remediation.
SELECT
    'LOW_RATING:' || r.rating_id AS violation_id,
    r.period_month AS violation_date,
    r.supplier_id::bigint AS supplier_id,
    'LOW_RATING' AS violation_type,
    CASE
        WHEN r.overall_score < 2.00 THEN 'HIGH'
        WHEN r.overall_score < 2.50 THEN 'MEDIUM'
        ELSE 'LOW'
    END AS severity,
    'supplier_ratings ' || to_char(r.period_month, 'YYYY-MM') AS source_reference,
    r.overall_score AS measured_value,
    3.00 AS threshold_value,
    'Overall score ' || r.overall_score || ' of 5 in ' || to_char(r.period_month, 'YYYY-MM')
        || ' (quality ' || r.quality_rating || ', delivery ' || r.delivery_rating
        || ', price ' || r.price_competitiveness || ', responsiveness '
        || r.responsiveness_rating || ')' AS impact_on_operations,
    'YES' AS remediation_required,
    'Performance review with the supplier; improvement plan for the weakest rating within 30 days'
        AS corrective_action_plan
FROM supplier_ratings AS r
WHERE r.updated_at >= %(start)s AND r.updated_at < %(end)s
  AND r.overall_score < 3.00
UNION ALL
SELECT
    'FAILED_AUDIT:' || a.supplier_audit_id,
    a.audit_date,
    a.supplier_id::bigint,
    'FAILED_AUDIT',
    'HIGH',
    'supplier_audits ' || a.supplier_audit_id,
    a.score,
    NULL,
    'Audit by ' || a.auditor || ' failed with score ' || a.score || ' and '
        || a.findings_count || ' findings',
    'YES',
    'Contain incoming material from the supplier (100 percent inspection) and re-audit within 90 days'
FROM supplier_audits AS a
WHERE a.updated_at >= %(start)s AND a.updated_at < %(end)s
  AND a.result = 'FAIL'
UNION ALL
SELECT
    'EXPIRED_CERTIFICATION:' || c.certification_id,
    c.expiry_date,
    c.supplier_id::bigint,
    'EXPIRED_CERTIFICATION',
    CASE WHEN c.certification_type = 'ISO 9001' THEN 'HIGH' ELSE 'MEDIUM' END,
    'certifications ' || c.certification_id,
    NULL,
    NULL,
    c.certification_type || ' certificate by ' || c.certifying_body || ' expired on '
        || c.expiry_date::text,
    'YES',
    'Obtain the renewed certificate; until then treat the supplier as conditionally approved'
FROM certifications AS c
WHERE c.updated_at >= %(start)s AND c.updated_at < %(end)s
  AND c.status = 'EXPIRED'
