-- Revenue of the same days in genims_reporting_db.sales_by_product.
SELECT COALESCE(SUM(revenue_total), 0) FROM sales_by_product
WHERE date >= %(start)s AND date < %(end)s
