-- Periodic snapshot: stock of each material in each warehouse at the end of every day, with
-- the day's movements and the value at the standard cost valid that day.
CREATE TABLE IF NOT EXISTS fact_inventory_snapshot_daily (
    date                DATE          NOT NULL COMMENT 'Snapshot day (UTC): stock as of the end of the day, the partition column',
    material_id         BIGINT        NOT NULL COMMENT 'Natural id of the material (wms)',
    warehouse_id        BIGINT        NOT NULL COMMENT 'Natural id of the warehouse (wms)',
    date_key            INT           NOT NULL COMMENT 'Snapshot day -> dim_date.date_key',
    material_key        BIGINT        NOT NULL COMMENT 'Material -> dim_material.material_key (0 = unknown)',
    warehouse_key       BIGINT        NOT NULL COMMENT 'Warehouse -> dim_warehouse.warehouse_key (0 = unknown)',
    quantity_on_hand    DECIMAL(16,3) NOT NULL COMMENT 'Stock at the end of the day (all signed movements before the next midnight), in the material''s unit',
    quantity_received   DECIMAL(16,3) NOT NULL COMMENT 'Receipts and transfers in during the day',
    quantity_issued     DECIMAL(16,3) NOT NULL COMMENT 'Issues, scrap and transfers out during the day (positive)',
    quantity_adjusted   DECIMAL(16,3) NOT NULL COMMENT 'Signed adjustments during the day',
    net_movement        DECIMAL(16,3) NOT NULL COMMENT 'Sum of the day''s signed movements',
    movement_count      INT           NOT NULL COMMENT 'Movements during the day',
    standard_unit_cost  DECIMAL(14,4) NULL COMMENT 'MATERIAL standard cost valid that day (erp.standard_costs), else the master-data standard cost',
    inventory_value     DECIMAL(16,2) NULL COMMENT 'quantity_on_hand x standard_unit_cost, currency units',
    updated_at          DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, material_id, warehouse_id),
    KEY idx_fis_date_key (date_key),
    KEY idx_fis_material (material_key),
    KEY idx_fis_warehouse (warehouse_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='End-of-day stock per material and warehouse (periodic snapshot)';
