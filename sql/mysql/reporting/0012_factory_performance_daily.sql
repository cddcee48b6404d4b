CREATE TABLE IF NOT EXISTS factory_performance_daily (
    date                        DATE          NOT NULL COMMENT 'Day (UTC): day of the run start, or ship date of the sales order',
    factory_id                  BIGINT        NOT NULL COMMENT 'Factory (master.factories)',
    factory_utilization_ratio   DECIMAL(7,6)  NULL COMMENT 'Run time / planned production time of all the factory''s machines, fraction; NULL without planned time',
    planned_production_minutes  DECIMAL(10,2) NOT NULL COMMENT 'Planned production time of the factory''s machines, minutes',
    total_runtime_minutes       DECIMAL(10,2) NOT NULL COMMENT 'Time the factory''s machines actually ran, minutes',
    total_units_produced        INT           NOT NULL COMMENT 'Units produced in the factory',
    units_good                  INT           NOT NULL COMMENT 'Units produced that passed',
    orders_shipped              INT           NOT NULL COMMENT 'Sales orders of the factory shipped that day (not cancelled)',
    total_revenue               DECIMAL(16,2) NOT NULL COMMENT 'Sum of line amounts of the orders shipped that day, currency units',
    cost_of_goods               DECIMAL(16,2) NULL COMMENT 'Shipped quantity x PRODUCT standard unit cost valid on the ship date; NULL when a shipped product has no valid standard cost',
    updated_at                  DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, factory_id),
    KEY idx_factory_perf_factory_date (factory_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily utilisation, output, shipped revenue and standard cost of goods per factory';
