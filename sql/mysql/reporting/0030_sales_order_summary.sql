CREATE TABLE IF NOT EXISTS sales_order_summary (
    date              DATE          NOT NULL COMMENT 'Order day (= order_date), the partition column',
    sales_order_id    BIGINT        NOT NULL COMMENT 'Sales order (erp.sales_orders)',
    order_number      VARCHAR(64)   NOT NULL COMMENT 'Business number of the order',
    order_date        DATE          NOT NULL COMMENT 'Day the order was placed',
    delivery_date     DATE          NULL COMMENT 'Day the order was delivered, NULL while not delivered',
    customer_id       BIGINT        NOT NULL COMMENT 'Ordering customer (master.customers)',
    salesperson_id    BIGINT        NOT NULL COMMENT 'Sales rep of the order (crm.sales_reps)',
    factory_id        BIGINT        NOT NULL COMMENT 'Factory that fulfils the order (master.factories)',
    region            VARCHAR(100)  NULL COMMENT 'Region of the customer (master.customers), NULL if the customer is unknown',
    total_amount      DECIMAL(16,2) NOT NULL COMMENT 'Order value as ordered, currency units (also kept on CANCELLED orders)',
    margin_amount     DECIMAL(16,2) NULL COMMENT 'Line amounts - quantity x product standard cost valid on the order day, NULL if a line has no standard cost',
    margin_ratio      DECIMAL(15,6) NULL COMMENT 'margin_amount / total_amount, fraction (negative for a loss), NULL when total_amount is 0',
    status            VARCHAR(16)   NOT NULL COMMENT 'Order status (OPEN, CONFIRMED, SHIPPED, DELIVERED, INVOICED, CANCELLED)',
    payment_status    VARCHAR(16)   NOT NULL COMMENT 'Payment status (UNPAID, PARTIAL, PAID, OVERDUE)',
    updated_at        DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, sales_order_id),
    KEY idx_sales_order_date (order_date DESC),
    KEY idx_sales_order_customer_date (customer_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='One row per sales order with its value, standard-cost margin, status and payment status';
