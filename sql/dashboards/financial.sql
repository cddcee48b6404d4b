-- Profit and loss of the 30 days ending on %(as_of)s (a date), one row per day, oldest first.
-- Served by the primary key of profit_and_loss_daily (a range scan on date, already in order).
SELECT date,
       accounting_period,
       revenue_total,
       other_income,
       cost_of_goods_sold,
       gross_margin,
       gross_margin / NULLIF(revenue_total, 0) AS gross_margin_ratio,
       operating_expenses,
       operating_income,
       interest_expense,
       taxes,
       net_income
FROM profit_and_loss_daily
WHERE date > %(as_of)s - INTERVAL 30 DAY
  AND date <= %(as_of)s
ORDER BY date
