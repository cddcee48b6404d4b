-- Daily profit and loss from the general ledger (financial database).
-- Every line counts: entries are POSTED or REVERSED, and a reversal is an entry of its own with
-- opposite lines, so both sides of a reversed mistake are history. A line belongs to the
-- entry_date of its entry. Revenue-type amounts are credit - debit, expenses debit - credit.
-- One row per day of the window, zeros on a day without postings.
WITH days AS (
    SELECT %(start)s::date + i AS date
    FROM generate_series(0, %(end)s::date - %(start)s::date - 1) AS i
),
movements AS (
    SELECT e.entry_date AS date,
           sum(l.credit - l.debit) FILTER (WHERE a.account_subtype = 'REVENUE')      AS revenue,
           sum(l.credit - l.debit) FILTER (WHERE a.account_subtype = 'OTHER_INCOME') AS other_income,
           sum(l.debit - l.credit) FILTER (WHERE a.account_subtype = 'COGS')         AS cogs,
           sum(l.debit - l.credit) FILTER (WHERE a.account_subtype = 'OPEX')         AS opex,
           sum(l.debit - l.credit) FILTER (WHERE a.account_subtype = 'INTEREST')     AS interest,
           sum(l.debit - l.credit) FILTER (WHERE a.account_subtype = 'TAX')          AS taxes
    FROM journal_entries e
    JOIN journal_entry_lines l ON l.journal_entry_id = e.journal_entry_id
    JOIN gl_accounts a ON a.account_id = l.account_id
    WHERE e.entry_date >= %(start)s AND e.entry_date < %(end)s
      AND a.account_type IN ('REVENUE', 'EXPENSE')
    GROUP BY e.entry_date
),
totals AS (
    SELECT d.date,
           coalesce(m.revenue, 0)      AS revenue,
           coalesce(m.other_income, 0) AS other_income,
           coalesce(m.cogs, 0)         AS cogs,
           coalesce(m.opex, 0)         AS opex,
           coalesce(m.interest, 0)     AS interest,
           coalesce(m.taxes, 0)        AS taxes
    FROM days d
    LEFT JOIN movements m ON m.date = d.date
)
SELECT t.date,
       p.period_code                                                   AS accounting_period,
       t.revenue                                                       AS revenue_total,
       t.other_income,
       t.cogs                                                          AS cost_of_goods_sold,
       t.revenue - t.cogs                                              AS gross_margin,
       t.opex                                                          AS operating_expenses,
       t.revenue - t.cogs - t.opex                                     AS operating_income,
       t.interest                                                      AS interest_expense,
       t.taxes,
       t.revenue - t.cogs - t.opex + t.other_income - t.interest - t.taxes AS net_income
FROM totals t
LEFT JOIN LATERAL (
    SELECT ap.period_code
    FROM accounting_periods ap
    WHERE t.date BETWEEN ap.start_date AND ap.end_date
    ORDER BY ap.end_date - ap.start_date, ap.start_date DESC, ap.period_code
    LIMIT 1
) p ON true
