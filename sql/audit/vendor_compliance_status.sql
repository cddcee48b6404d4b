-- Every supplier of master data, whole table (a few hundred): the population assessed, so a
-- supplier without any certification or audit is visible as non-compliant.
SELECT
    s.supplier_id::bigint AS vendor_id,
    s.supplier_name AS vendor_name,
    CASE WHEN s.is_active THEN 'YES' ELSE 'NO' END AS vendor_active,
    (s.created_at AT TIME ZONE 'UTC')::date AS vendor_created_date
FROM suppliers AS s
