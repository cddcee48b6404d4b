-- Name and payment terms of every supplier (master database), joined on supplier_id.
SELECT supplier_id::bigint AS supplier_id, supplier_name, payment_terms_days AS payment_terms
FROM suppliers
