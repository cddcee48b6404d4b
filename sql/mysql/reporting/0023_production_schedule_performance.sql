CREATE TABLE IF NOT EXISTS production_schedule_performance (
    date                         DATE          NOT NULL COMMENT 'Day (UTC) of the scheduled start',
    production_line_id           BIGINT        NOT NULL COMMENT 'Production line (master.production_lines)',
    schedules_total              INT           NOT NULL COMMENT 'Schedules that day, cancelled ones excluded',
    schedules_cancelled          INT           NOT NULL COMMENT 'Cancelled schedules that day',
    schedules_started_on_time    INT           NOT NULL COMMENT 'Schedules that started within 15 minutes (either way) of their scheduled start',
    schedule_compliance_ratio    DECIMAL(7,6)  NULL COMMENT 'schedules_started_on_time / schedules_total, fraction; NULL without schedules',
    schedules_completed          INT           NOT NULL COMMENT 'Schedules with an actual end',
    schedules_completed_on_time  INT           NOT NULL COMMENT 'Completed schedules that ended no later than scheduled',
    on_time_delivery_ratio       DECIMAL(7,6)  NULL COMMENT 'schedules_completed_on_time / schedules_completed, fraction; NULL without completions',
    delay_minutes_total          DECIMAL(10,2) NOT NULL COMMENT 'Sum of recorded delay of the schedules, minutes',
    root_causes                  TEXT          NULL COMMENT 'Distinct delay reasons, largest total delay first, comma-separated; NULL without delays',
    updated_at                   DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, production_line_id),
    KEY idx_schedule_perf_line_date (production_line_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily schedule adherence, on-time completion and delay causes per production line';
