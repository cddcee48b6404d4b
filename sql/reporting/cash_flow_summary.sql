-- Daily statement of cash flows from the general ledger (financial database).
-- Cash lines are lines on accounts whose cash_flow_category is CASH. The net cash movement of
-- a journal entry (debit - credit of its cash lines) belongs to the cash_flow_category of its
-- non-cash line with the largest absolute amount (ties: the lowest line_no); an entry with
-- cash lines only (a transfer between cash accounts) counts as OPERATING.
-- The opening cash balance is every cash line before the window, so a day's values never
-- depend on the window. All lines count: POSTED and REVERSED entries alike.
WITH days AS (
    SELECT %(start)s::date + i AS date
    FROM generate_series(0, %(end)s::date - %(start)s::date - 1) AS i
),
lines AS (
    SELECT e.journal_entry_id,
           e.entry_date,
           l.line_no,
           a.cash_flow_category,
           l.debit - l.credit AS amount
    FROM journal_entries e
    JOIN journal_entry_lines l ON l.journal_entry_id = e.journal_entry_id
    JOIN gl_accounts a ON a.account_id = l.account_id
    WHERE e.entry_date >= %(start)s AND e.entry_date < %(end)s
),
entry_cash AS (
    SELECT journal_entry_id, entry_date, sum(amount) AS cash
    FROM lines
    WHERE cash_flow_category = 'CASH'
    GROUP BY journal_entry_id, entry_date
),
entry_category AS (
    SELECT DISTINCT ON (journal_entry_id) journal_entry_id, cash_flow_category
    FROM lines
    WHERE cash_flow_category <> 'CASH'
    ORDER BY journal_entry_id, abs(amount) DESC, line_no
),
flows AS (
    SELECT c.entry_date AS date,
           sum(c.cash) FILTER (WHERE coalesce(k.cash_flow_category, 'OPERATING') = 'OPERATING') AS operating,
           sum(c.cash) FILTER (WHERE k.cash_flow_category = 'INVESTING')                       AS investing,
           sum(c.cash) FILTER (WHERE k.cash_flow_category = 'FINANCING')                       AS financing,
           sum(c.cash)                                                                          AS net
    FROM entry_cash c
    LEFT JOIN entry_category k ON k.journal_entry_id = c.journal_entry_id
    GROUP BY c.entry_date
),
opening AS (
    SELECT coalesce(sum(l.debit - l.credit), 0) AS cash
    FROM journal_entries e
    JOIN journal_entry_lines l ON l.journal_entry_id = e.journal_entry_id
    JOIN gl_accounts a ON a.account_id = l.account_id
    WHERE e.entry_date < %(start)s AND a.cash_flow_category = 'CASH'
),
daily AS (
    SELECT d.date,
           coalesce(f.operating, 0) AS operating,
           coalesce(f.investing, 0) AS investing,
           coalesce(f.financing, 0) AS financing,
           coalesce(f.net, 0)       AS net
    FROM days d
    LEFT JOIN flows f ON f.date = d.date
),
running AS (
    SELECT y.*,
           o.cash + coalesce(sum(y.net) OVER (
               ORDER BY y.date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS beginning
    FROM daily y
    CROSS JOIN opening o
)
SELECT r.date,
       p.period_code         AS accounting_period,
       r.operating           AS operating_cash_flow,
       r.investing           AS investing_cash_flow,
       r.financing           AS financing_cash_flow,
       r.net                 AS net_change_in_cash,
       r.beginning           AS cash_balance_beginning,
       r.beginning + r.net   AS cash_balance_ending
FROM running r
LEFT JOIN LATERAL (
    SELECT ap.period_code
    FROM accounting_periods ap
    WHERE r.date BETWEEN ap.start_date AND ap.end_date
    ORDER BY ap.end_date - ap.start_date, ap.start_date DESC, ap.period_code
    LIMIT 1
) p ON true
