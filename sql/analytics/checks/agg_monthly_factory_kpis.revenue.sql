-- Revenue of the window straight from fact_sales_order_line (analytics): non-cancelled lines
-- of orders fulfilled by a factory.
SELECT COALESCE(SUM(line_amount), 0) FROM fact_sales_order_line
WHERE date >= %(start)s AND date < %(end)s AND is_cancelled = 0
