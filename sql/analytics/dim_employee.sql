-- Employees with their department (hr database). valid_from = day of the employee's change
-- marker (UTC): the day the observed state took effect.
SELECT e.employee_id::bigint                         AS employee_id,
       e.employee_number,
       e.first_name || ' ' || e.last_name            AS full_name,
       e.job_title,
       e.department_id::bigint                       AS department_id,
       d.department_code,
       d.department_name,
       e.factory_id::bigint                          AS factory_id,
       e.manager_employee_id::bigint                 AS manager_employee_id,
       e.employment_type,
       e.hourly_rate,
       e.status,
       e.hire_date,
       e.termination_date,
       (e.updated_at AT TIME ZONE 'UTC')::date       AS valid_from
FROM employees e
LEFT JOIN departments d ON d.department_id = e.department_id
