-- Sales per rep and order day (erp database); cancelled orders never count.
SELECT order_date                       AS date,
       sales_rep_id::bigint             AS salesperson_id,
       count(*)                         AS order_count,
       sum(total_amount)                AS total_sales,
       count(DISTINCT customer_id)      AS customer_count
FROM sales_orders
WHERE order_date >= %(start)s AND order_date < %(end)s
  AND status <> 'CANCELLED'
GROUP BY order_date, sales_rep_id
