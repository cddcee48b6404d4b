-- Delay recorded on the non-cancelled schedules starting in the window.
SELECT coalesce(sum(delay_minutes), 0) FROM production_schedules
WHERE scheduled_start >= %(start)s AND scheduled_start < %(end)s AND status <> 'CANCELLED'
