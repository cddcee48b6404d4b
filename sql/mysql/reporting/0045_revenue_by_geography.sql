CREATE TABLE IF NOT EXISTS revenue_by_geography (
    date            DATE          NOT NULL COMMENT 'Recognition day: ship date of the sales order',
    country         VARCHAR(100)  NOT NULL COMMENT 'Country of the customer, UNKNOWN if the customer is not in master data',
    region          VARCHAR(100)  NOT NULL COMMENT 'Region of the customer, UNKNOWN if the customer is not in master data',
    city            VARCHAR(100)  NOT NULL COMMENT 'City of the customer, UNKNOWN if the customer is not in master data',
    total_revenue   DECIMAL(16,2) NOT NULL COMMENT 'Sum of line amounts (after discount), currency units',
    total_cost      DECIMAL(16,2) NULL COMMENT 'Quantity x standard unit cost valid on the ship date, NULL if any line lacks a standard cost',
    total_margin    DECIMAL(16,2) NULL COMMENT 'total_revenue - total_cost, currency units',
    customer_count  INT           NOT NULL COMMENT 'Distinct customers with shipments',
    order_count     INT           NOT NULL COMMENT 'Distinct sales orders shipped',
    updated_at      DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, country, region, city),
    KEY idx_revenue_geo_country_date (country, region, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Recognised revenue, cost and margin per customer location and ship day';
