CREATE TABLE IF NOT EXISTS revenue_by_product (
    date            DATE          NOT NULL COMMENT 'Recognition day: ship date of the sales order',
    product_id      BIGINT        NOT NULL COMMENT 'Product (master.products)',
    product_name    VARCHAR(200)  NULL COMMENT 'Name of the product',
    units_sold      DECIMAL(16,3) NOT NULL COMMENT 'Quantity shipped on non-cancelled orders',
    revenue         DECIMAL(16,2) NOT NULL COMMENT 'Sum of line amounts (after discount), currency units',
    cost_of_goods   DECIMAL(16,2) NULL COMMENT 'units_sold x standard unit cost valid on the ship date, NULL without a standard cost',
    gross_margin    DECIMAL(16,2) NULL COMMENT 'revenue - cost_of_goods, currency units',
    margin_ratio    DECIMAL(15,6) NULL COMMENT 'gross_margin / revenue, fraction, NULL when revenue is 0',
    updated_at      DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, product_id),
    KEY idx_revenue_product_product_date (product_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Recognised revenue, standard cost of goods and gross margin per product and ship day';
