CREATE TABLE IF NOT EXISTS oee_daily_summary (
    date                DATE          NOT NULL COMMENT 'Production day (UTC) of the run start',
    machine_id          BIGINT        NOT NULL COMMENT 'Machine (master.machines)',
    factory_id          BIGINT        NOT NULL COMMENT 'Factory of the machine',
    production_line_id  BIGINT        NOT NULL COMMENT 'Line of the machine',
    availability        DECIMAL(7,6)  NULL COMMENT 'Run time / planned production time, fraction',
    performance         DECIMAL(7,6)  NULL COMMENT 'Ideal cycle time x units produced / run time, fraction',
    quality             DECIMAL(7,6)  NULL COMMENT 'Good units / units produced, fraction',
    oee_calculated      DECIMAL(7,6)  NULL COMMENT 'OEE = availability x performance x quality, fraction',
    oee_previous_day    DECIMAL(7,6)  NULL COMMENT 'OEE of the same machine on the previous day, fraction; NULL when it did not run',
    trend_vs_yesterday  DECIMAL(8,6)  NULL COMMENT 'oee_calculated - oee_previous_day, signed fraction points (0.05 = 5 points better); NULL without a previous day',
    updated_at          DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, machine_id),
    KEY idx_oee_summary_machine_date (machine_id, date DESC),
    KEY idx_oee_summary_line_date (production_line_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily OEE factors per machine with the change against the previous day';
