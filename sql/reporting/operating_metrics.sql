-- Company-wide operating metrics from the general ledger (financial database), per day over
-- the trailing 30 days ending on that day (day - 29 .. day), with balances at the end of the
-- day. The window looks back 29 days and the balances start from everything before it, so a
-- day's values never depend on the window. All lines count (POSTED and REVERSED entries).
-- Inventory = the accounts flagged gl_accounts.is_inventory.
WITH days AS (
    SELECT %(start)s::date + i AS date
    FROM generate_series(0, %(end)s::date - %(start)s::date - 1) AS i
),
pnl AS (
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
    WHERE e.entry_date >= %(start)s::date - 29 AND e.entry_date < %(end)s
      AND a.account_type IN ('REVENUE', 'EXPENSE')
    GROUP BY e.entry_date
),
rolling AS (
    SELECT d.date,
           coalesce(sum(p.revenue), 0)      AS revenue,
           coalesce(sum(p.other_income), 0) AS other_income,
           coalesce(sum(p.cogs), 0)         AS cogs,
           coalesce(sum(p.opex), 0)         AS opex,
           coalesce(sum(p.interest), 0)     AS interest,
           coalesce(sum(p.taxes), 0)        AS taxes
    FROM days d
    LEFT JOIN pnl p ON p.date BETWEEN d.date - 29 AND d.date
    GROUP BY d.date
),
movements AS (
    SELECT greatest(e.entry_date, %(start)s::date - 1) AS date,
           sum(l.debit - l.credit) FILTER (WHERE a.account_type = 'ASSET') AS assets,
           sum(l.credit - l.debit) FILTER (
               WHERE a.account_type IN ('EQUITY', 'REVENUE', 'EXPENSE'))   AS equity,
           sum(l.debit - l.credit) FILTER (WHERE a.is_inventory)          AS inventory
    FROM journal_entries e
    JOIN journal_entry_lines l ON l.journal_entry_id = e.journal_entry_id
    JOIN gl_accounts a ON a.account_id = l.account_id
    WHERE e.entry_date < %(end)s
    GROUP BY 1
),
positions AS (
    SELECT d.date,
           coalesce(sum(m.assets), 0)    AS assets,
           coalesce(sum(m.equity), 0)    AS equity,
           coalesce(sum(m.inventory), 0) AS inventory
    FROM days d
    LEFT JOIN movements m ON m.date <= d.date
    GROUP BY d.date
),
kpi AS (
    SELECT t.date,
           t.revenue,
           t.cogs,
           t.revenue - t.cogs                                                    AS gross_margin,
           t.revenue - t.cogs - t.opex                                           AS operating_income,
           t.revenue - t.cogs - t.opex + t.other_income - t.interest - t.taxes   AS net_income,
           p.assets,
           p.equity,
           p.inventory
    FROM rolling t
    JOIN positions p ON p.date = t.date
)
SELECT date,
       revenue                                          AS revenue_30d,
       cogs                                             AS cost_of_goods_sold_30d,
       gross_margin                                     AS gross_margin_30d,
       operating_income                                 AS operating_income_30d,
       net_income                                       AS net_income_30d,
       assets                                           AS total_assets,
       equity                                           AS shareholders_equity,
       inventory                                        AS inventory_balance,
       gross_margin / nullif(revenue, 0)                AS gross_margin_ratio,
       operating_income / nullif(revenue, 0)            AS operating_margin_ratio,
       net_income / nullif(revenue, 0)                  AS net_margin_ratio,
       net_income * 365 / 30 / nullif(assets, 0)        AS return_on_assets_ratio,
       net_income * 365 / 30 / nullif(equity, 0)        AS return_on_equity_ratio,
       revenue * 365 / 30 / nullif(assets, 0)           AS asset_turnover,
       cogs * 365 / 30 / nullif(inventory, 0)           AS inventory_turnover
FROM kpi
