CREATE TABLE IF NOT EXISTS sales_by_product (
    date                      DATE          NOT NULL COMMENT 'Order day (order_date of the sales orders)',
    product_id                BIGINT        NOT NULL COMMENT 'Product (master.products)',
    product_name              VARCHAR(200)  NULL COMMENT 'Name of the product, NULL if unknown to master data',
    category                  VARCHAR(100)  NULL COMMENT 'Product category, NULL if unknown to master data',
    units_sold                DECIMAL(16,3) NOT NULL COMMENT 'Quantity ordered on non-cancelled orders',
    revenue_total             DECIMAL(16,2) NOT NULL COMMENT 'Sum of line amounts of non-cancelled orders, currency units',
    average_price             DECIMAL(16,4) NULL COMMENT 'revenue_total / units_sold, currency units per unit',
    margin_amount             DECIMAL(16,2) NULL COMMENT 'revenue_total - units x product standard cost valid on the day, NULL without a standard cost',
    margin_ratio              DECIMAL(15,6) NULL COMMENT 'margin_amount / revenue_total, fraction, NULL when revenue is 0',
    trend_vs_month_ago_ratio  DECIMAL(15,6) NULL COMMENT '(revenue_total - revenue 28 days earlier) / revenue 28 days earlier, signed fraction, NULL without sales then',
    updated_at                DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, product_id),
    KEY idx_sales_product (date DESC, product_id),
    KEY idx_sales_product_product_date (product_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Units, revenue, average price, margin and month-ago trend per product and order day';
