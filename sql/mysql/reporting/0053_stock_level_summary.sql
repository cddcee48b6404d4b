CREATE TABLE IF NOT EXISTS stock_level_summary (
    date                  DATE          NOT NULL COMMENT 'Snapshot day (UTC): stock as of the end of the day',
    material_id           BIGINT        NOT NULL COMMENT 'Material (master.materials)',
    warehouse_id          BIGINT        NOT NULL COMMENT 'Warehouse (master.warehouses)',
    reorder_point         DECIMAL(16,3) NULL COMMENT 'Reorder point of the current stocking policy (wms inventory_balances), NULL = no policy',
    safety_stock          DECIMAL(16,3) NULL COMMENT 'Safety stock of the current stocking policy (wms inventory_balances), NULL = no policy',
    current_stock         DECIMAL(16,3) NOT NULL COMMENT 'Sum of all signed movements before the next midnight (UTC)',
    average_daily_issues  DECIMAL(16,3) NOT NULL COMMENT 'Issues (ISSUE, SCRAP, TRANSFER_OUT) of the 30 days ending with the day / 30',
    days_of_supply        DECIMAL(14,2) NULL COMMENT 'current_stock / average_daily_issues in days, NULL when nothing was issued in 30 days',
    stockout_risk_ratio   DECIMAL(9,6)  NULL COMMENT '1 at or below safety stock, 0 at or above reorder point, linear in between, fraction, NULL = no policy',
    abc_class             CHAR(1)       NOT NULL COMMENT 'A/B/C class of the material by its share of the issue value of the 365 days ending with the day (A = first 80 percent, B = next 15 percent, C = rest)',
    updated_at            DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, material_id, warehouse_id),
    KEY idx_stock_level_material_date (material_id, date DESC),
    KEY idx_stock_level_warehouse_date (warehouse_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily stock level per material and warehouse against its stocking policy: days of supply, stockout risk, ABC class';
