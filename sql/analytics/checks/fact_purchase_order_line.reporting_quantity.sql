-- Units ordered on the same days in genims_reporting_db.purchase_order_summary.
SELECT COALESCE(SUM(quantity_ordered), 0) FROM purchase_order_summary
WHERE date >= %(start)s AND date < %(end)s
