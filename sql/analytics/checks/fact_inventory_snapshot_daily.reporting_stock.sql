-- End-of-day stock summed over the same days in genims_reporting_db.inventory_value_summary.
SELECT COALESCE(SUM(quantity_on_hand), 0) FROM inventory_value_summary
WHERE date >= %(start)s AND date < %(end)s
