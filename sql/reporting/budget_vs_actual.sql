-- Monthly budget against actual expense per cost centre (financial database).
-- A month belongs to the window that contains its first day and is always computed in full, so
-- a ranged run split into chunks that do not end on a month boundary never yields a month twice.
-- Budget: budgets of the accounting periods that start in the month. Actual: debit - credit of
-- every line on an EXPENSE account booked to the cost centre (all entries, POSTED and REVERSED,
-- by entry_date). Lines without a cost centre are not attributable and are left out.
WITH bounds AS (
    SELECT %(start)s::date                                                     AS first_day,
           (date_trunc('month', %(end)s::date - 1) + interval '1 month')::date AS end_day
),
budget AS (
    SELECT date_trunc('month', p.start_date)::date AS period_month,
           b.cost_center_id,
           sum(b.budget_amount)                    AS budget
    FROM budgets b
    JOIN accounting_periods p ON p.period_id = b.period_id
    WHERE date_trunc('month', p.start_date) >= %(start)s
      AND date_trunc('month', p.start_date) < %(end)s
    GROUP BY 1, 2
),
actual AS (
    SELECT date_trunc('month', e.entry_date)::date AS period_month,
           l.cost_center_id,
           sum(l.debit - l.credit)                 AS actual
    FROM journal_entries e
    CROSS JOIN bounds w
    JOIN journal_entry_lines l ON l.journal_entry_id = e.journal_entry_id
    JOIN gl_accounts a ON a.account_id = l.account_id
    WHERE e.entry_date >= w.first_day AND e.entry_date < w.end_day
      AND date_trunc('month', e.entry_date) >= %(start)s
      AND date_trunc('month', e.entry_date) < %(end)s
      AND a.account_type = 'EXPENSE'
      AND l.cost_center_id IS NOT NULL
    GROUP BY 1, 2
),
joined AS (
    SELECT coalesce(b.period_month, a.period_month)     AS period_month,
           coalesce(b.cost_center_id, a.cost_center_id) AS cost_center_id,
           coalesce(b.budget, 0)                        AS budget,
           coalesce(a.actual, 0)                        AS actual
    FROM budget b
    FULL JOIN actual a ON a.period_month = b.period_month AND a.cost_center_id = b.cost_center_id
)
SELECT period_month,
       cost_center_id::bigint                      AS cost_center_id,
       budget                                      AS budget_amount,
       actual                                      AS actual_amount,
       actual - budget                             AS variance_amount,
       (actual - budget) / nullif(budget, 0)       AS variance_ratio,
       CASE
           WHEN abs(actual - budget) <= 0.02 * budget THEN 'ON_BUDGET'
           WHEN actual > budget THEN 'OVER_BUDGET'
           ELSE 'UNDER_BUDGET'
       END                                         AS status
FROM joined
