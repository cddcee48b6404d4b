-- Daily cost per cost centre and cost element (financial database): debit - credit of lines on
-- EXPENSE accounts whose cost_element is MATERIAL, LABOR or OVERHEAD, booked to a cost centre,
-- by entry_date (all entries, POSTED and REVERSED). Looks back 7 days so every day of the
-- window has its trend baseline: the sum of the 7 previous days divided by 7 (a day without
-- costs counts as 0). One row per cost centre and day with cost-element lines.
WITH daily AS (
    SELECT e.entry_date AS date,
           l.cost_center_id,
           coalesce(sum(l.debit - l.credit) FILTER (WHERE a.cost_element = 'MATERIAL'), 0) AS material,
           coalesce(sum(l.debit - l.credit) FILTER (WHERE a.cost_element = 'LABOR'), 0)    AS labor,
           coalesce(sum(l.debit - l.credit) FILTER (WHERE a.cost_element = 'OVERHEAD'), 0) AS overhead,
           sum(l.debit - l.credit)                                                          AS total
    FROM journal_entries e
    JOIN journal_entry_lines l ON l.journal_entry_id = e.journal_entry_id
    JOIN gl_accounts a ON a.account_id = l.account_id
    WHERE e.entry_date >= %(start)s::date - 7 AND e.entry_date < %(end)s
      AND a.account_type = 'EXPENSE'
      AND a.cost_element IN ('MATERIAL', 'LABOR', 'OVERHEAD')
      AND l.cost_center_id IS NOT NULL
    GROUP BY e.entry_date, l.cost_center_id
),
baseline AS (
    SELECT d.date, d.cost_center_id, coalesce(sum(p.total), 0) / 7.0 AS previous_average
    FROM daily d
    LEFT JOIN daily p ON p.cost_center_id = d.cost_center_id
                     AND p.date BETWEEN d.date - 7 AND d.date - 1
    WHERE d.date >= %(start)s
    GROUP BY d.date, d.cost_center_id
)
SELECT d.date,
       d.cost_center_id::bigint                                        AS cost_center_id,
       d.material                                                      AS material_cost,
       d.labor                                                         AS labor_cost,
       d.overhead                                                      AS overhead_cost,
       d.total                                                         AS total_cost,
       b.previous_average                                              AS previous_7d_average_cost,
       (d.total - b.previous_average) / nullif(b.previous_average, 0)  AS cost_trend_ratio
FROM daily d
JOIN baseline b ON b.date = d.date AND b.cost_center_id = d.cost_center_id
