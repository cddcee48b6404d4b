CREATE TABLE IF NOT EXISTS inventory_aging_report (
    date                DATE          NOT NULL COMMENT 'Snapshot day (UTC): stock as of the end of the day',
    material_id         BIGINT        NOT NULL COMMENT 'Material (master.materials)',
    age_0_30_days_qty   DECIMAL(16,3) NOT NULL COMMENT 'Stock received 0 to 30 days before the day (FIFO: stock is the newest receipts)',
    age_31_60_days_qty  DECIMAL(16,3) NOT NULL COMMENT 'Stock received 31 to 60 days before the day',
    age_61_90_days_qty  DECIMAL(16,3) NOT NULL COMMENT 'Stock received 61 to 90 days before the day',
    age_90plus_qty      DECIMAL(16,3) NOT NULL COMMENT 'Stock received more than 90 days before the day',
    total_quantity      DECIMAL(16,3) NOT NULL COMMENT 'Stock of the material in all warehouses at the end of the day (sum of the four buckets)',
    total_value         DECIMAL(16,2) NOT NULL COMMENT 'total_quantity x standard cost valid that day (erp standard_costs, else master material cost)',
    updated_at          DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, material_id),
    KEY idx_inventory_aging_material_date (material_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily FIFO age buckets of the stock of each material over all warehouses';
