-- Net income of the window straight from the ledger (financial): credit - debit of every line
-- on a REVENUE or EXPENSE account, by account type rather than by statement subtype, so a
-- P&L account the statement does not classify makes the reconciliation fail.
SELECT coalesce(sum(l.credit - l.debit), 0)
FROM journal_entry_lines l
JOIN journal_entries e ON e.journal_entry_id = l.journal_entry_id
JOIN gl_accounts a ON a.account_id = l.account_id
WHERE e.entry_date >= %(start)s AND e.entry_date < %(end)s
  AND a.account_type IN ('REVENUE', 'EXPENSE')
