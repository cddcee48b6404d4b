CREATE TABLE IF NOT EXISTS budget_vs_actual (
    period_month      DATE          NOT NULL COMMENT 'First day of the month',
    cost_center_id    BIGINT        NOT NULL COMMENT 'Cost centre (master.cost_centers)',
    cost_center_name  VARCHAR(200)  NULL COMMENT 'Name of the cost centre',
    budget_amount     DECIMAL(16,2) NOT NULL COMMENT 'Budget of the accounting periods starting in the month, 0 without a budget, currency units',
    actual_amount     DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on EXPENSE accounts booked to the cost centre in the month, currency units',
    variance_amount   DECIMAL(16,2) NOT NULL COMMENT 'actual_amount - budget_amount (positive = overspent), currency units',
    variance_ratio    DECIMAL(15,6) NULL COMMENT 'variance_amount / budget_amount, signed fraction, NULL without a budget',
    status            VARCHAR(16)   NOT NULL COMMENT 'ON_BUDGET (|variance| <= 2 % of budget), OVER_BUDGET or UNDER_BUDGET',
    updated_at        DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (period_month, cost_center_id),
    KEY idx_budget_period (period_month DESC),
    KEY idx_budget_cost_center (cost_center_id, period_month DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Monthly budget against actual expense per cost centre';
