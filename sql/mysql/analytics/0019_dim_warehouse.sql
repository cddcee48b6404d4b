-- Warehouses (type 1) with the factory they belong to.
CREATE TABLE IF NOT EXISTS dim_warehouse (
    warehouse_key   BIGINT        NOT NULL COMMENT 'Surrogate key; facts join on it (fact.warehouse_key = dim_warehouse.warehouse_key); 0 = unknown member',
    warehouse_id    BIGINT        NOT NULL COMMENT 'Natural key: master.warehouses.warehouse_id (-1 for the unknown member)',
    warehouse_code  VARCHAR(64)   NOT NULL COMMENT 'Business code of the warehouse',
    warehouse_name  VARCHAR(200)  NOT NULL COMMENT 'Name of the warehouse',
    warehouse_type  VARCHAR(64)   NULL COMMENT 'Plant store, distribution centre, ...',
    country         VARCHAR(100)  NULL COMMENT 'Country',
    city            VARCHAR(100)  NULL COMMENT 'City',
    factory_id      BIGINT        NULL COMMENT 'Factory the warehouse belongs to, NULL for a stand-alone distribution centre',
    factory_name    VARCHAR(200)  NULL COMMENT 'Name of that factory',
    row_hash        CHAR(64)      NOT NULL COMMENT 'SHA-256 of the attributes (change detection of the type-1 merge)',
    updated_at      DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (warehouse_key),
    -- grain: (warehouse_id)
    UNIQUE KEY uq_dim_warehouse_id (warehouse_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Warehouses (type 1)';

INSERT IGNORE INTO dim_warehouse (warehouse_key, warehouse_id, warehouse_code, warehouse_name, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown warehouse', '', CURRENT_TIMESTAMP(6));
