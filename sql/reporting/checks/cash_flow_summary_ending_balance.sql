-- Sum over the days of the window of the end-of-day cash balance, computed line by line
-- (financial): each cash line counts once for every day of the window on or after its entry
-- date.
SELECT coalesce(sum((l.debit - l.credit)
                    * (%(end)s::date - greatest(e.entry_date, %(start)s::date))), 0)
FROM journal_entry_lines l
JOIN journal_entries e ON e.journal_entry_id = l.journal_entry_id
JOIN gl_accounts a ON a.account_id = l.account_id
WHERE e.entry_date < %(end)s
  AND a.cash_flow_category = 'CASH'
