-- Timesheets by work day (hr database). The factory is the shift's, else the employee's.
SELECT t.work_date                                       AS date,
       t.timesheet_id::bigint                            AS timesheet_id,
       t.employee_id::bigint                             AS employee_id,
       coalesce(s.factory_id, e.factory_id)::bigint      AS factory_id,
       t.shift_id::bigint                                AS shift_id,
       s.shift_code,
       t.cost_center_id::bigint                          AS cost_center_id,
       t.hours_regular,
       t.hours_overtime,
       t.hours_regular + t.hours_overtime                AS total_hours,
       t.approved::int                                   AS is_approved
FROM timesheets t
LEFT JOIN shifts s ON s.shift_id = t.shift_id
LEFT JOIN employees e ON e.employee_id = t.employee_id
WHERE t.work_date >= %(start)s AND t.work_date < %(end)s
