CREATE TABLE IF NOT EXISTS sales_forecast_actuals (
    period_month      DATE          NOT NULL COMMENT 'First day of the month (monthly partition)',
    product_id        BIGINT        NOT NULL COMMENT 'Product (master.products)',
    forecast_units    DECIMAL(16,3) NULL COMMENT 'Units forecast for the month (crm.sales_forecasts), NULL without a forecast',
    forecast_revenue  DECIMAL(16,2) NULL COMMENT 'Revenue forecast for the month, currency units, NULL without a forecast',
    actual_units      DECIMAL(16,3) NOT NULL COMMENT 'Units ordered in the month on non-cancelled orders (0 if none)',
    actual_revenue    DECIMAL(16,2) NOT NULL COMMENT 'Line amounts ordered in the month on non-cancelled orders, currency units',
    variance_ratio    DECIMAL(15,6) NULL COMMENT '(actual_revenue - forecast_revenue) / forecast_revenue, signed fraction, NULL when the forecast revenue is 0 or missing',
    accuracy_metric   DECIMAL(9,6)  NULL COMMENT 'max(0, 1 - abs(actual_units - forecast_units) / forecast_units), fraction, NULL when the forecast units are 0 or missing',
    updated_at        DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (period_month, product_id),
    KEY idx_sales_forecast_product_month (product_id, period_month DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Monthly sales forecast against actual orders per product, with variance and accuracy';
