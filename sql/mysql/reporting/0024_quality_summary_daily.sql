CREATE TABLE IF NOT EXISTS quality_summary_daily (
    date              DATE          NOT NULL COMMENT 'Day (UTC) of the inspection',
    factory_id        BIGINT        NOT NULL COMMENT 'Inspecting factory (master.factories)',
    product_id        BIGINT        NOT NULL COMMENT 'Product inspected (master.products)',
    inspection_count  INT           NOT NULL COMMENT 'In-process and final inspections',
    units_inspected   INT           NOT NULL COMMENT 'Units inspected',
    units_passed      INT           NOT NULL COMMENT 'Units that passed',
    units_failed      INT           NOT NULL COMMENT 'Units that failed',
    defect_rate       DECIMAL(7,6)  NULL COMMENT 'units_failed / units_inspected, fraction; NULL when nothing was inspected',
    critical_defects  INT           NOT NULL COMMENT 'Defects of severity CRITICAL found by these inspections (sum of defect quantities)',
    major_defects     INT           NOT NULL COMMENT 'Defects of severity MAJOR found by these inspections (sum of defect quantities)',
    minor_defects     INT           NOT NULL COMMENT 'Defects of severity MINOR found by these inspections (sum of defect quantities)',
    rework_cost       DECIMAL(16,2) NOT NULL COMMENT 'Rework cost recorded on these inspections, currency units',
    updated_at        DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, factory_id, product_id),
    KEY idx_quality_summary_product_date (product_id, date DESC),
    KEY idx_quality_summary_factory_date (factory_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily in-process and final inspection results and defects per factory and product';
