-- Labour hours booked in the window, straight from the labour transactions (manufacturing).
SELECT coalesce(sum(hours), 0) FROM labor_transactions
WHERE work_date >= %(start)s AND work_date < %(end)s
