-- Debits posted in the window (financial).
SELECT coalesce(sum(l.debit), 0)
FROM journal_entries e
JOIN journal_entry_lines l ON l.journal_entry_id = e.journal_entry_id
WHERE e.entry_date >= %(start)s AND e.entry_date < %(end)s
