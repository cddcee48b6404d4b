-- Units produced in the window, straight from the run logs (operations).
SELECT coalesce(sum(units_produced), 0) FROM production_run_logs
WHERE run_start >= %(start)s AND run_start < %(end)s
