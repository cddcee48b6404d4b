CREATE TABLE IF NOT EXISTS production_summary_daily (
    date              DATE          NOT NULL COMMENT 'Day (UTC): planned start of the work orders, or day the labour and material were booked',
    line_id           BIGINT        NOT NULL COMMENT 'Production line of the work orders (master.production_lines)',
    factory_id        BIGINT        NOT NULL COMMENT 'Factory of the line',
    planned_quantity  INT           NOT NULL COMMENT 'Quantity planned on the work orders planned to start that day (not cancelled), units',
    actual_quantity   INT           NOT NULL COMMENT 'Quantity completed so far on those same work orders, units',
    variance_ratio    DECIMAL(12,6) NULL COMMENT '(actual - planned) / planned, signed fraction; NULL when nothing was planned',
    labor_hours       DECIMAL(10,2) NOT NULL COMMENT 'Labour hours booked that work day on the line''s work orders, hours',
    material_cost     DECIMAL(16,2) NOT NULL COMMENT 'Material consumed that day on the line''s work orders: quantity x unit cost, currency units',
    overhead_cost     DECIMAL(16,2) NULL COMMENT 'Actual quantity x PRODUCT standard overhead cost valid that day; NULL when a product with output has no valid standard cost',
    updated_at        DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, line_id),
    KEY idx_prod_summary_date (date DESC),
    KEY idx_prod_summary_factory_date (factory_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily plan versus actual output, labour, material and overhead per production line';
