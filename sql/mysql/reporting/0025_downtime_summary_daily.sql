CREATE TABLE IF NOT EXISTS downtime_summary_daily (
    date                DATE          NOT NULL COMMENT 'Day (UTC); downtime intervals are clipped to each day they overlap',
    machine_id          BIGINT        NOT NULL COMMENT 'Machine (master.machines)',
    production_line_id  BIGINT        NULL COMMENT 'Line of the machine (master.machines); NULL when the machine is unknown to master data',
    factory_id          BIGINT        NULL COMMENT 'Factory of the machine (master.machines); NULL when the machine is unknown to master data',
    downtime_minutes    DECIMAL(10,2) NOT NULL COMMENT 'planned_downtime + unplanned_downtime, minutes',
    planned_downtime    DECIMAL(10,2) NOT NULL COMMENT 'Time in PLANNED_DOWNTIME state within the day, minutes',
    unplanned_downtime  DECIMAL(10,2) NOT NULL COMMENT 'Time in DOWN state within the day, minutes',
    primary_reason      VARCHAR(64)   NULL COMMENT 'Reason code with the most downtime minutes that day (UNSPECIFIED = no reason recorded)',
    secondary_reason    VARCHAR(64)   NULL COMMENT 'Reason code with the second most downtime minutes that day',
    run_hours           DECIMAL(10,2) NOT NULL COMMENT 'Run time of the runs started that day, hours',
    fault_count         INT           NOT NULL COMMENT 'Faults that started that day',
    faults_repaired     INT           NOT NULL COMMENT 'Faults that ended that day',
    mtbf_hours          DECIMAL(10,3) NULL COMMENT 'Mean time between failures: run_hours / fault_count, hours; NULL without faults',
    mttr_hours          DECIMAL(10,3) NULL COMMENT 'Mean time to repair: average duration of the faults that ended that day, hours; NULL without repairs',
    updated_at          DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, machine_id),
    KEY idx_downtime_machine_date (machine_id, date DESC),
    KEY idx_downtime_line_date (production_line_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily planned and unplanned downtime, top reasons, MTBF and MTTR per machine';
