-- Expense booked to any cost centre in the window's months (financial), without grouping.
SELECT coalesce(sum(l.debit - l.credit), 0)
FROM journal_entry_lines l
JOIN journal_entries e ON e.journal_entry_id = l.journal_entry_id
JOIN gl_accounts a ON a.account_id = l.account_id
WHERE e.entry_date >= %(start)s AND e.entry_date < %(end)s
  AND a.account_type = 'EXPENSE'
  AND l.cost_center_id IS NOT NULL
