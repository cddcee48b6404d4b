-- Schedules (cancelled or not) with a scheduled start in the window.
SELECT count(*) FROM production_schedules
WHERE scheduled_start >= %(start)s AND scheduled_start < %(end)s
