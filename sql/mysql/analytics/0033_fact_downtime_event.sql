-- One row per machine fault, on the day it started: how long the machine was down and what
-- the repair cost.
CREATE TABLE IF NOT EXISTS fact_downtime_event (
    date                 DATE          NOT NULL COMMENT 'Day (UTC) the fault started, the partition column',
    fault_id             BIGINT        NOT NULL COMMENT 'Degenerate: operations.machine_faults.fault_id',
    date_key             INT           NOT NULL COMMENT 'Start day -> dim_date.date_key',
    end_date_key         INT           NOT NULL COMMENT 'Day the fault ended -> dim_date.date_key (0 while open)',
    machine_key          BIGINT        NOT NULL COMMENT 'Machine -> dim_machine.machine_key (0 = unknown)',
    production_line_key  BIGINT        NOT NULL COMMENT 'Line of the machine -> dim_production_line.production_line_key (0 = unknown)',
    factory_key          BIGINT        NOT NULL COMMENT 'Factory of the machine -> dim_factory.factory_key (0 = unknown)',
    machine_id           BIGINT        NOT NULL COMMENT 'Natural id of the machine (lineage)',
    line_id              BIGINT        NULL COMMENT 'Natural id of the line of the machine',
    factory_id           BIGINT        NULL COMMENT 'Natural id of the factory of the machine',
    fault_code           VARCHAR(64)   NOT NULL COMMENT 'Fault code',
    fault_category       VARCHAR(64)   NOT NULL COMMENT 'Fault category (mechanical, electrical, ...)',
    severity             VARCHAR(16)   NOT NULL COMMENT 'LOW, MEDIUM, HIGH or CRITICAL',
    fault_start          DATETIME(6)   NOT NULL COMMENT 'When the fault started (UTC)',
    fault_end            DATETIME(6)   NULL COMMENT 'When it was cleared (UTC), NULL while open',
    end_date             DATE          NULL COMMENT 'Day (UTC) it was cleared',
    duration_minutes     DECIMAL(12,2) NULL COMMENT 'fault_end - fault_start, minutes; NULL while open',
    is_open              TINYINT       NOT NULL COMMENT '1 when not cleared at the last load of the day',
    maintenance_orders   INT           NOT NULL COMMENT 'Maintenance work orders raised for the fault',
    repair_cost          DECIMAL(16,2) NOT NULL COMMENT 'Labour and parts cost of those work orders, currency units',
    updated_at           DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, fault_id),
    KEY idx_fde_date_key (date_key),
    KEY idx_fde_end_date_key (end_date_key),
    KEY idx_fde_machine (machine_key),
    KEY idx_fde_line (production_line_key),
    KEY idx_fde_factory (factory_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Machine faults by start day: duration and repair cost';
