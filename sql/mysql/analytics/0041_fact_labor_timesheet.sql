-- One row per timesheet: the hours an employee worked on a day.
CREATE TABLE IF NOT EXISTS fact_labor_timesheet (
    date             DATE          NOT NULL COMMENT 'Work day (hr.timesheets.work_date), the partition column',
    timesheet_id     BIGINT        NOT NULL COMMENT 'Degenerate: hr.timesheets.timesheet_id',
    date_key         INT           NOT NULL COMMENT 'Work day -> dim_date.date_key',
    employee_key     BIGINT        NOT NULL COMMENT 'Employee version valid on the work day -> dim_employee.employee_key (0 = unknown)',
    factory_key      BIGINT        NOT NULL COMMENT 'Factory of the shift (else of the employee) -> dim_factory.factory_key (0 = none or unknown)',
    employee_id      BIGINT        NOT NULL COMMENT 'Natural id of the employee (lineage)',
    factory_id       BIGINT        NULL COMMENT 'Natural id of the factory',
    shift_id         BIGINT        NULL COMMENT 'Shift worked (hr.shifts)',
    shift_code       VARCHAR(16)   NULL COMMENT 'Code of the shift',
    cost_center_id   BIGINT        NULL COMMENT 'Cost centre charged',
    hours_regular    DECIMAL(6,2)  NOT NULL COMMENT 'Regular hours',
    hours_overtime   DECIMAL(6,2)  NOT NULL COMMENT 'Overtime hours',
    total_hours      DECIMAL(6,2)  NOT NULL COMMENT 'hours_regular + hours_overtime',
    is_approved      TINYINT       NOT NULL COMMENT '1 when the timesheet is approved',
    updated_at       DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, timesheet_id),
    KEY idx_flt_date_key (date_key),
    KEY idx_flt_employee (employee_key),
    KEY idx_flt_factory (factory_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Timesheets: hours per employee and work day';
