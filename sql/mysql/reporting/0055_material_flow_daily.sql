CREATE TABLE IF NOT EXISTS material_flow_daily (
    date                         DATE          NOT NULL COMMENT 'Day (UTC) of the movements, balance as of its end',
    material_id                  BIGINT        NOT NULL COMMENT 'Material (master.materials)',
    factory_id                   BIGINT        NOT NULL COMMENT 'Factory of the warehouses (master.warehouses), 0 = warehouses not attached to a factory',
    receipts_qty                 DECIMAL(16,3) NOT NULL COMMENT 'RECEIPT and TRANSFER_IN quantities of the day',
    issues_qty                   DECIMAL(16,3) NOT NULL COMMENT 'ISSUE, SCRAP and TRANSFER_OUT quantities of the day, as a positive number',
    adjustments_qty              DECIMAL(16,3) NOT NULL COMMENT 'ADJUSTMENT quantities of the day, signed',
    ending_balance               DECIMAL(16,3) NOT NULL COMMENT 'Stock in the factory''s warehouses at the end of the day',
    average_daily_usage          DECIMAL(16,3) NOT NULL COMMENT 'issues_qty of the 30 days ending with the day / 30',
    supplier_performance_rating  DECIMAL(4,2)  NULL COMMENT 'Average latest monthly overall score (0-5) of the suppliers the factory received the material from in the 90 days ending with the day, NULL = none',
    updated_at                   DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, material_id, factory_id),
    KEY idx_material_flow_material_date (material_id, date DESC),
    KEY idx_material_flow_factory_date (factory_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily receipts, issues, adjustments and balance of each material per factory';
