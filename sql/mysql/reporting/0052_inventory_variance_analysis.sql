CREATE TABLE IF NOT EXISTS inventory_variance_analysis (
    date               DATE          NOT NULL COMMENT 'Day (UTC) the cycle counts were taken',
    material_id        BIGINT        NOT NULL COMMENT 'Material counted (master.materials)',
    warehouse_id       BIGINT        NOT NULL COMMENT 'Warehouse counted (master.warehouses)',
    counts_taken       INT           NOT NULL COMMENT 'Cycle counts of the item that day (quantities below are summed over them)',
    system_quantity    DECIMAL(16,3) NOT NULL COMMENT 'Quantity the system expected, summed over the day''s counts',
    physical_count     DECIMAL(16,3) NOT NULL COMMENT 'Quantity counted, summed over the day''s counts',
    variance_quantity  DECIMAL(16,3) NOT NULL COMMENT 'physical_count - system_quantity (negative = shrinkage)',
    variance_ratio     DECIMAL(12,6) NULL COMMENT 'variance_quantity / system_quantity, signed fraction, NULL when the system quantity is 0',
    variance_cost      DECIMAL(16,2) NOT NULL COMMENT 'Sum over the counts of (counted - system) x the count''s unit cost',
    root_cause         VARCHAR(255)  NULL COMMENT 'Root cause of the latest count of the day that recorded one',
    updated_at         DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, material_id, warehouse_id),
    KEY idx_inventory_variance_material_date (material_id, date DESC),
    KEY idx_inventory_variance_warehouse_date (warehouse_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Cycle count variances per material, warehouse and day';
