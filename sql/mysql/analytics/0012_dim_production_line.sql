-- Production lines with their factory (type 1, denormalised so a star join needs no snowflake).
CREATE TABLE IF NOT EXISTS dim_production_line (
    production_line_key             BIGINT        NOT NULL COMMENT 'Surrogate key; facts join on it (fact.production_line_key = dim_production_line.production_line_key); 0 = unknown member',
    line_id                         BIGINT        NOT NULL COMMENT 'Natural key: master.production_lines.line_id (-1 for the unknown member)',
    line_code                       VARCHAR(64)   NOT NULL COMMENT 'Business code of the line',
    line_name                       VARCHAR(200)  NOT NULL COMMENT 'Name of the line',
    line_type                       VARCHAR(64)   NULL COMMENT 'Kind of line (assembly, machining, ...)',
    design_capacity_units_per_hour  DECIMAL(12,2) NULL COMMENT 'Design capacity, units per hour',
    is_active                       TINYINT       NULL COMMENT '1 while the line operates',
    factory_id                      BIGINT        NULL COMMENT 'Factory of the line (master.factories)',
    factory_code                    VARCHAR(64)   NULL COMMENT 'Business code of that factory',
    factory_name                    VARCHAR(200)  NULL COMMENT 'Name of that factory',
    row_hash                        CHAR(64)      NOT NULL COMMENT 'SHA-256 of the attributes (change detection of the type-1 merge)',
    updated_at                      DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (production_line_key),
    -- grain: (line_id)
    UNIQUE KEY uq_dim_production_line_id (line_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Production lines and their factory (type 1)';

INSERT IGNORE INTO dim_production_line (production_line_key, line_id, line_code, line_name, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown line', '', CURRENT_TIMESTAMP(6));
