-- Revenue of the same days in genims_reporting_db.profit_and_loss_daily.
SELECT COALESCE(SUM(revenue_total), 0) FROM profit_and_loss_daily
WHERE date >= %(start)s AND date < %(end)s
