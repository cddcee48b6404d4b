-- Daily balance sheet from the general ledger (financial database): cumulative balances of all
-- lines (POSTED and REVERSED entries alike) up to and including each day of the window.
-- Everything before the window collapses onto the day before it (the opening balance), so a
-- day's balances never depend on the window it is computed in.
-- Assets are debit - credit; liabilities and equity credit - debit. Retained earnings are the
-- cumulative net income: credit - debit of every REVENUE and EXPENSE account.
WITH days AS (
    SELECT %(start)s::date + i AS date
    FROM generate_series(0, %(end)s::date - %(start)s::date - 1) AS i
),
movements AS (
    SELECT greatest(e.entry_date, %(start)s::date - 1) AS date,
           sum(l.debit - l.credit) FILTER (WHERE a.account_subtype = 'CURRENT_ASSET')       AS current_assets,
           sum(l.debit - l.credit) FILTER (WHERE a.account_subtype = 'FIXED_ASSET')         AS fixed_assets,
           sum(l.debit - l.credit) FILTER (WHERE a.account_type = 'ASSET')                  AS total_assets,
           sum(l.credit - l.debit) FILTER (WHERE a.account_subtype = 'CURRENT_LIABILITY')   AS current_liabilities,
           sum(l.credit - l.debit) FILTER (WHERE a.account_subtype = 'LONG_TERM_LIABILITY') AS long_term_liabilities,
           sum(l.credit - l.debit) FILTER (WHERE a.account_type = 'LIABILITY')              AS total_liabilities,
           sum(l.credit - l.debit) FILTER (WHERE a.account_type = 'EQUITY')                 AS contributed_equity,
           sum(l.credit - l.debit) FILTER (WHERE a.account_type IN ('REVENUE', 'EXPENSE'))  AS retained_earnings
    FROM journal_entries e
    JOIN journal_entry_lines l ON l.journal_entry_id = e.journal_entry_id
    JOIN gl_accounts a ON a.account_id = l.account_id
    WHERE e.entry_date < %(end)s
    GROUP BY 1
),
balances AS (
    SELECT d.date,
           coalesce(sum(m.current_assets), 0)        AS current_assets,
           coalesce(sum(m.fixed_assets), 0)          AS fixed_assets,
           coalesce(sum(m.total_assets), 0)          AS total_assets,
           coalesce(sum(m.current_liabilities), 0)   AS current_liabilities,
           coalesce(sum(m.long_term_liabilities), 0) AS long_term_liabilities,
           coalesce(sum(m.total_liabilities), 0)     AS total_liabilities,
           coalesce(sum(m.contributed_equity), 0)    AS contributed_equity,
           coalesce(sum(m.retained_earnings), 0)     AS retained_earnings
    FROM days d
    LEFT JOIN movements m ON m.date <= d.date
    GROUP BY d.date
)
SELECT b.date,
       p.period_code                                              AS accounting_period,
       b.current_assets,
       b.fixed_assets,
       b.total_assets,
       b.current_liabilities,
       b.long_term_liabilities,
       b.total_liabilities,
       b.contributed_equity,
       b.retained_earnings,
       b.contributed_equity + b.retained_earnings                 AS shareholders_equity,
       b.total_assets - b.total_liabilities
         - (b.contributed_equity + b.retained_earnings)           AS balance_check_difference
FROM balances b
LEFT JOIN LATERAL (
    SELECT ap.period_code
    FROM accounting_periods ap
    WHERE b.date BETWEEN ap.start_date AND ap.end_date
    ORDER BY ap.end_date - ap.start_date, ap.start_date DESC, ap.period_code
    LIMIT 1
) p ON true
