CREATE TABLE IF NOT EXISTS cost_analysis (
    date                      DATE          NOT NULL COMMENT 'Posting day (entry_date of the journal entries)',
    cost_center_id            BIGINT        NOT NULL COMMENT 'Cost centre (master.cost_centers)',
    factory_id                BIGINT        NULL COMMENT 'Factory of the cost centre, NULL for cost centres outside a factory',
    material_cost             DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on EXPENSE accounts with cost element MATERIAL, currency units',
    labor_cost                DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on EXPENSE accounts with cost element LABOR, currency units',
    overhead_cost             DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on EXPENSE accounts with cost element OVERHEAD, currency units',
    total_cost                DECIMAL(16,2) NOT NULL COMMENT 'material_cost + labor_cost + overhead_cost, currency units',
    units_produced            INT           NULL COMMENT 'Units completed by work orders of the factory that ended on the day, NULL without a factory',
    cost_per_unit             DECIMAL(16,4) NULL COMMENT 'total_cost / units_produced, currency units per unit, NULL when no units',
    previous_7d_average_cost  DECIMAL(16,2) NOT NULL COMMENT 'Sum of total_cost over the 7 previous days / 7, currency units',
    cost_trend_ratio          DECIMAL(15,6) NULL COMMENT '(total_cost - previous_7d_average_cost) / previous_7d_average_cost, signed fraction',
    updated_at                DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, cost_center_id),
    KEY idx_cost_analysis_cost_center_date (cost_center_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily cost by cost element per cost centre, cost per unit produced and 7-day trend';
