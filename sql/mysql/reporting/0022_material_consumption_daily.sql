CREATE TABLE IF NOT EXISTS material_consumption_daily (
    date               DATE          NOT NULL COMMENT 'Day (UTC) the material was consumed',
    material_id        BIGINT        NOT NULL COMMENT 'Material (master.materials)',
    plant_location     VARCHAR(64)   NOT NULL COMMENT 'Code of the consuming factory (master.factories.factory_code)',
    factory_id         BIGINT        NOT NULL COMMENT 'Consuming factory (master.factories)',
    quantity_consumed  DECIMAL(16,3) NOT NULL COMMENT 'Quantity consumed, material unit of measure',
    cost_consumed      DECIMAL(16,2) NOT NULL COMMENT 'Sum of quantity x unit cost of each consumption, currency units',
    unit_cost          DECIMAL(16,4) NULL COMMENT 'cost_consumed / quantity_consumed (weighted average), currency per unit; NULL when nothing was consumed',
    scrap_quantity     DECIMAL(16,3) NOT NULL COMMENT 'Quantity scrapped, material unit of measure',
    scrap_cost         DECIMAL(16,2) NOT NULL COMMENT 'Sum of scrap quantity x unit cost, currency units',
    updated_at         DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, material_id, plant_location),
    KEY idx_material_cons_material_date (material_id, date DESC),
    KEY idx_material_cons_factory_date (factory_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily material consumption and scrap per material and plant';
