CREATE TABLE IF NOT EXISTS sales_by_customer (
    date                 DATE          NOT NULL COMMENT 'Order day (order_date of the sales orders)',
    customer_id          BIGINT        NOT NULL COMMENT 'Customer (master.customers)',
    customer_name        VARCHAR(200)  NULL COMMENT 'Name of the customer, NULL if unknown to master data',
    total_orders         INT           NOT NULL COMMENT 'Non-cancelled orders placed on the day',
    total_revenue        DECIMAL(16,2) NOT NULL COMMENT 'Sum of their order values, currency units',
    average_order_value  DECIMAL(16,2) NOT NULL COMMENT 'total_revenue / total_orders, currency units',
    order_frequency      INT           NOT NULL COMMENT 'Non-cancelled orders in the 30 days ending on the day (day included)',
    growth_rate_ratio    DECIMAL(15,6) NULL COMMENT '(revenue of the 30 days ending on the day - revenue of the 30 days before) / the latter, signed fraction, NULL when the latter is 0',
    updated_at           DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, customer_id),
    KEY idx_sales_customer_date (customer_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Orders, revenue, 30-day order frequency and 30-day growth per customer and order day';
