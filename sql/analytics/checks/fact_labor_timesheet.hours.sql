-- Hours on the timesheets of the window (hr).
SELECT coalesce(sum(hours_regular + hours_overtime), 0)
FROM timesheets
WHERE work_date >= %(start)s AND work_date < %(end)s
