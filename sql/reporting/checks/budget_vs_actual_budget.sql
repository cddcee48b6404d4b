-- Budgets of the accounting periods that start in the window (financial).
SELECT coalesce(sum(b.budget_amount), 0)
FROM budgets b
JOIN accounting_periods p ON p.period_id = b.period_id
WHERE p.start_date >= %(start)s AND p.start_date < %(end)s
