-- Names of the third parties (suppliers), a small lookup read once per run.
SELECT s.supplier_id::bigint AS supplier_id, s.supplier_name AS third_party_name
FROM suppliers AS s
