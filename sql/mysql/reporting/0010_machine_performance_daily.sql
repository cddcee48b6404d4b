CREATE TABLE IF NOT EXISTS machine_performance_daily (
    date                        DATE          NOT NULL COMMENT 'Production day (UTC) of the run start',
    machine_id                  BIGINT        NOT NULL COMMENT 'Machine (master.machines)',
    factory_id                  BIGINT        NOT NULL COMMENT 'Factory of the machine',
    production_line_id          BIGINT        NOT NULL COMMENT 'Line of the machine',
    availability_ratio          DECIMAL(7,6)  NULL COMMENT 'Run time / planned production time, fraction',
    performance_ratio           DECIMAL(7,6)  NULL COMMENT 'Ideal cycle time x units / run time, fraction',
    quality_ratio               DECIMAL(7,6)  NULL COMMENT 'Good units / units produced, fraction',
    oee_overall                 DECIMAL(7,6)  NULL COMMENT 'OEE = availability x performance x quality, fraction',
    planned_production_minutes  DECIMAL(10,2) NOT NULL COMMENT 'Planned production time',
    total_runtime_minutes       DECIMAL(10,2) NOT NULL COMMENT 'Time actually running',
    downtime_minutes            DECIMAL(10,2) NOT NULL COMMENT 'Unplanned downtime (DOWN state) within the day',
    fault_count                 INT           NOT NULL COMMENT 'Faults that started during the day',
    units_produced              INT           NOT NULL COMMENT 'Units produced',
    units_good                  INT           NOT NULL COMMENT 'Units that passed',
    units_rejected              INT           NOT NULL COMMENT 'Units rejected',
    scrap_rate                  DECIMAL(7,6)  NULL COMMENT 'Units rejected / units produced, fraction',
    updated_at                  DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, machine_id),
    KEY idx_machine_perf_machine_date (machine_id, date DESC),
    KEY idx_machine_perf_factory_date (factory_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily OEE and its factors per machine';
