CREATE TABLE IF NOT EXISTS slow_moving_inventory (
    date                 DATE          NOT NULL COMMENT 'Snapshot day (UTC): stock as of the end of the day',
    material_id          BIGINT        NOT NULL COMMENT 'Material (master.materials)',
    material_name        VARCHAR(200)  NULL COMMENT 'Name of the material',
    quantity_on_hand     DECIMAL(16,3) NOT NULL COMMENT 'Stock of the material in all warehouses at the end of the day (always above 0 here)',
    cost_value           DECIMAL(16,2) NOT NULL COMMENT 'quantity_on_hand x standard cost valid that day (erp standard_costs, else master material cost)',
    last_movement_date   DATE          NULL COMMENT 'Day of the last ISSUE of the material in any warehouse up to the day, NULL = never issued',
    days_since_movement  INT           NULL COMMENT 'date - last_movement_date in days (above 90 here), NULL = never issued',
    recommended_action   VARCHAR(10)   NOT NULL COMMENT 'REVIEW (91-180 days), DISCOUNT (181-365 days), WRITE_OFF (over 365 days or never issued)',
    updated_at           DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, material_id),
    KEY idx_slow_moving_movement (last_movement_date),
    KEY idx_slow_moving_material_date (material_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily list of materials in stock whose last issue is more than 90 days old, with a recommended action';
