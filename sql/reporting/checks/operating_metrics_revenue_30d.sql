-- Sum over the days of the window of the trailing 30-day revenue, computed line by line
-- (financial): a REVENUE line counts once for every day d of the window with
-- d - 29 <= entry_date <= d.
SELECT coalesce(sum((l.credit - l.debit)
                    * (least(%(end)s::date - 1, e.entry_date + 29)
                       - greatest(%(start)s::date, e.entry_date) + 1)), 0)
FROM journal_entry_lines l
JOIN journal_entries e ON e.journal_entry_id = l.journal_entry_id
JOIN gl_accounts a ON a.account_id = l.account_id
WHERE e.entry_date >= %(start)s::date - 29 AND e.entry_date < %(end)s
  AND a.account_subtype = 'REVENUE'
