-- Journal lines by posting day (financial database). Reversals are entries of their own.
SELECT e.entry_date                                  AS date,
       l.journal_line_id::bigint                     AS journal_line_id,
       e.journal_entry_id::bigint                    AS journal_entry_id,
       e.entry_number,
       l.line_no,
       l.account_id::bigint                          AS account_id,
       l.cost_center_id::bigint                      AS cost_center_id,
       l.factory_id::bigint                          AS factory_id,
       e.period_id::bigint                           AS period_id,
       e.source_module,
       e.status                                      AS entry_status,
       (e.reversal_of_id IS NOT NULL)::int           AS is_reversal,
       l.debit,
       l.credit,
       l.debit - l.credit                            AS net_amount
FROM journal_entries e
JOIN journal_entry_lines l ON l.journal_entry_id = e.journal_entry_id
WHERE e.entry_date >= %(start)s AND e.entry_date < %(end)s
