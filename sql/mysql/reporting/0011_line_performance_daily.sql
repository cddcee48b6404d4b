CREATE TABLE IF NOT EXISTS line_performance_daily (
    date                        DATE          NOT NULL COMMENT 'Production day (UTC): day of the run start, or work day of the labour booking',
    production_line_id          BIGINT        NOT NULL COMMENT 'Production line (master.production_lines)',
    factory_id                  BIGINT        NOT NULL COMMENT 'Factory of the line (master.production_lines)',
    line_utilization_ratio      DECIMAL(7,6)  NULL COMMENT 'Run time / planned production time of the line''s machines, fraction; NULL without planned time',
    planned_production_minutes  DECIMAL(10,2) NOT NULL COMMENT 'Planned production time of the line''s machines, minutes',
    total_runtime_minutes       DECIMAL(10,2) NOT NULL COMMENT 'Time the line''s machines actually ran, minutes',
    throughput                  INT           NOT NULL COMMENT 'Units produced on the line',
    units_good                  INT           NOT NULL COMMENT 'Units produced that passed',
    throughput_units_per_hour   DECIMAL(12,3) NULL COMMENT 'Good units / run hours; NULL without run time',
    oee_daily                   DECIMAL(7,6)  NULL COMMENT 'Sum(ideal cycle time x good units) / planned production time, fraction; NULL without planned time',
    defect_count                INT           NOT NULL COMMENT 'Units rejected on the line',
    labor_hours                 DECIMAL(10,2) NOT NULL COMMENT 'Labour hours booked on the line that work day, hours',
    updated_at                  DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, production_line_id),
    KEY idx_line_perf_line_date (production_line_id, date DESC),
    KEY idx_line_perf_factory_date (factory_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily utilisation, throughput, OEE, defects and labour per production line';
