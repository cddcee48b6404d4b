-- Units produced inside the window (operations): each run's units times the share of its
-- duration that lies inside the window, computed for the window as a whole (not per hour).
SELECT coalesce(sum(units_produced *
           CASE WHEN run_end > run_start
                THEN extract(epoch FROM least(run_end, %(end)s::timestamptz)
                                        - greatest(run_start, %(start)s::timestamptz))
                     / extract(epoch FROM run_end - run_start)
                ELSE 1 END), 0)
FROM production_run_logs
WHERE run_start < %(end)s AND run_end > %(start)s
