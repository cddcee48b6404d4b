-- The employee behind each sales rep (crm database).
SELECT sales_rep_id::bigint AS sales_rep_id, employee_id::bigint AS sales_rep_employee_id
FROM sales_reps
