-- Labour hours booked in the window on any work order (every booking belongs to one).
SELECT coalesce(sum(hours), 0) FROM labor_transactions
WHERE work_date >= %(start)s AND work_date < %(end)s
