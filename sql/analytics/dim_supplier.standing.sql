-- Certification and audit standing of each supplier (supplier database): certificates with
-- status VALID and the result of the latest audit; changed_portal = latest change marker.
WITH certs AS (
    SELECT supplier_id,
           count(*) FILTER (WHERE status = 'VALID') AS valid_certifications,
           max(updated_at)                         AS changed
    FROM certifications
    GROUP BY supplier_id
),
audits AS (
    SELECT DISTINCT ON (supplier_id) supplier_id, result, updated_at AS changed
    FROM supplier_audits
    ORDER BY supplier_id, audit_date DESC, supplier_audit_id DESC
)
SELECT coalesce(c.supplier_id, a.supplier_id)::bigint                         AS supplier_id,
       coalesce(c.valid_certifications, 0)                                    AS valid_certifications,
       a.result                                                               AS latest_audit_result,
       (greatest(c.changed, a.changed) AT TIME ZONE 'UTC')::date              AS changed_portal
FROM certs c
FULL JOIN audits a ON a.supplier_id = c.supplier_id
