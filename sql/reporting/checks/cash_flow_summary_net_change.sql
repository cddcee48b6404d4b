-- Net movement of the cash accounts in the window (financial), without any attribution to
-- cash flow categories.
SELECT coalesce(sum(l.debit - l.credit), 0)
FROM journal_entry_lines l
JOIN journal_entries e ON e.journal_entry_id = l.journal_entry_id
JOIN gl_accounts a ON a.account_id = l.account_id
WHERE e.entry_date >= %(start)s AND e.entry_date < %(end)s
  AND a.cash_flow_category = 'CASH'
