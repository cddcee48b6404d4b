-- Machine-days with a run starting in the window (operations): one row each, none lost.
SELECT count(DISTINCT (machine_id, (run_start AT TIME ZONE 'UTC')::date))
FROM production_run_logs
WHERE run_start >= %(start)s AND run_start < %(end)s
