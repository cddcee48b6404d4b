CREATE TABLE IF NOT EXISTS customer_segment_analysis (
    date                          DATE          NOT NULL COMMENT 'Day of the snapshot and of the orders',
    segment                       VARCHAR(32)   NOT NULL COMMENT 'CRM segment (STRATEGIC, ENTERPRISE, MID_MARKET, SMB) or UNASSIGNED for customers without a CRM account',
    customer_count                INT           NULL COMMENT 'CRM accounts of the segment not churned at the end of the day, NULL for UNASSIGNED',
    total_revenue                 DECIMAL(16,2) NOT NULL COMMENT 'Order values of non-cancelled orders placed on the day, currency units',
    average_revenue_per_customer  DECIMAL(16,2) NULL COMMENT 'total_revenue / customer_count, currency units, NULL when customer_count is 0 or NULL',
    churn_rate_ratio              DECIMAL(9,6)  NULL COMMENT 'Accounts churned in the 30 days ending on the day / accounts not churned 30 days earlier, fraction, NULL when the latter is 0',
    growth_rate_ratio             DECIMAL(15,6) NULL COMMENT '(revenue of the 30 days ending on the day - revenue of the 30 days before) / the latter, signed fraction, NULL when the latter is 0',
    updated_at                    DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, segment),
    KEY idx_segment_date (segment, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily customers, revenue, churn and 30-day growth per CRM customer segment';
