-- Materials (type 1), with whether maintenance stocks them as spare parts.
CREATE TABLE IF NOT EXISTS dim_material (
    material_key        BIGINT        NOT NULL COMMENT 'Surrogate key; facts join on it (fact.material_key = dim_material.material_key); 0 = unknown member',
    material_id         BIGINT        NOT NULL COMMENT 'Natural key: master.materials.material_id (-1 for the unknown member)',
    material_code       VARCHAR(64)   NOT NULL COMMENT 'Business code of the material',
    material_name       VARCHAR(200)  NOT NULL COMMENT 'Name of the material',
    material_type       VARCHAR(64)   NULL COMMENT 'Raw material, component, packaging, ...',
    unit_of_measure     VARCHAR(16)   NULL COMMENT 'Unit the quantities are in',
    standard_cost       DECIMAL(14,4) NULL COMMENT 'Current standard cost from master data, currency units per unit',
    lead_time_days      INT           NULL COMMENT 'Replenishment lead time, days',
    shelf_life_days     INT           NULL COMMENT 'Shelf life, days; NULL = unlimited',
    spare_part_count    INT           NULL COMMENT 'Spare parts of maintenance made of this material (maintenance.spare_parts)',
    is_spare_part       TINYINT       NULL COMMENT '1 when maintenance stocks the material as a spare part',
    row_hash            CHAR(64)      NOT NULL COMMENT 'SHA-256 of the attributes (change detection of the type-1 merge)',
    updated_at          DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (material_key),
    -- grain: (material_id)
    UNIQUE KEY uq_dim_material_id (material_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Materials (type 1)';

INSERT IGNORE INTO dim_material (material_key, material_id, material_code, material_name, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown material', '', CURRENT_TIMESTAMP(6));
