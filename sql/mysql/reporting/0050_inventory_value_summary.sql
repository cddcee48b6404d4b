CREATE TABLE IF NOT EXISTS inventory_value_summary (
    date                       DATE          NOT NULL COMMENT 'Snapshot day (UTC): stock as of the end of the day',
    warehouse_id               BIGINT        NOT NULL COMMENT 'Warehouse (master.warehouses)',
    factory_id                 BIGINT        NULL COMMENT 'Factory of the warehouse, 0 = not attached to a factory (distribution centre), NULL = warehouse unknown to master data',
    location                   VARCHAR(100)  NULL COMMENT 'City of the warehouse (master.warehouses)',
    quantity_on_hand           DECIMAL(16,3) NOT NULL COMMENT 'Stock of all materials at the end of the day, in their own units of measure',
    value_at_cost              DECIMAL(16,2) NOT NULL COMMENT 'Sum of stock x standard cost valid that day (erp standard_costs, else master material cost)',
    value_at_market            DECIMAL(16,2) NOT NULL COMMENT 'Sum of stock x latest purchase price on or before the day (else standard cost)',
    average_daily_issue_value  DECIMAL(16,2) NOT NULL COMMENT 'Issues (ISSUE, SCRAP, TRANSFER_OUT) of the 30 days ending with the day x standard cost of the day / 30',
    inventory_turnover_days    DECIMAL(14,2) NULL COMMENT 'value_at_cost / average_daily_issue_value in days, NULL when nothing was issued in 30 days',
    aged_over_90_days_ratio    DECIMAL(9,6)  NULL COMMENT 'Share of value_at_cost held in stock received more than 90 days ago (FIFO), fraction, NULL when no value',
    aging_status               VARCHAR(8)    NULL COMMENT 'CURRENT (aged share below 0.10), AGING (0.10 to below 0.30), STALE (0.30 or more), NULL when no value',
    abc_classification         CHAR(1)       NOT NULL COMMENT 'A/B/C class of the warehouse by its share of the day''s total value at cost (A = first 80 percent, B = next 15 percent, C = rest)',
    updated_at                 DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, warehouse_id),
    KEY idx_inventory_value_date (date DESC),
    KEY idx_inventory_value_warehouse_date (warehouse_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily stock quantity and value per warehouse at cost and at market, with turnover, aging and ABC class';
