-- Machines with their line and factory (type 1, denormalised).
CREATE TABLE IF NOT EXISTS dim_machine (
    machine_key         BIGINT        NOT NULL COMMENT 'Surrogate key; facts join on it (fact.machine_key = dim_machine.machine_key); 0 = unknown member',
    machine_id          BIGINT        NOT NULL COMMENT 'Natural key: master.machines.machine_id (-1 for the unknown member)',
    machine_code        VARCHAR(64)   NOT NULL COMMENT 'Business code of the machine',
    machine_name        VARCHAR(200)  NOT NULL COMMENT 'Name of the machine',
    machine_type        VARCHAR(64)   NULL COMMENT 'Kind of machine',
    manufacturer        VARCHAR(200)  NULL COMMENT 'Maker of the machine',
    criticality         VARCHAR(16)   NULL COMMENT 'LOW, MEDIUM, HIGH: how much a stop hurts',
    ideal_cycle_time_s  DECIMAL(10,3) NULL COMMENT 'Ideal cycle time per unit, seconds (OEE performance)',
    install_date        DATE          NULL COMMENT 'Day the machine was installed',
    is_active           TINYINT       NULL COMMENT '1 while the machine is in service',
    line_id             BIGINT        NULL COMMENT 'Line of the machine (master.production_lines)',
    line_code           VARCHAR(64)   NULL COMMENT 'Business code of that line',
    line_name           VARCHAR(200)  NULL COMMENT 'Name of that line',
    factory_id          BIGINT        NULL COMMENT 'Factory of the machine (master.factories)',
    factory_code        VARCHAR(64)   NULL COMMENT 'Business code of that factory',
    factory_name        VARCHAR(200)  NULL COMMENT 'Name of that factory',
    row_hash            CHAR(64)      NOT NULL COMMENT 'SHA-256 of the attributes (change detection of the type-1 merge)',
    updated_at          DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (machine_key),
    -- grain: (machine_id)
    UNIQUE KEY uq_dim_machine_id (machine_id),
    KEY idx_dim_machine_factory (factory_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Machines with their line and factory (type 1)';

INSERT IGNORE INTO dim_machine (machine_key, machine_id, machine_code, machine_name, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown machine', '', CURRENT_TIMESTAMP(6));
