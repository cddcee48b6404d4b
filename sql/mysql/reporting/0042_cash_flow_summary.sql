CREATE TABLE IF NOT EXISTS cash_flow_summary (
    date                    DATE          NOT NULL COMMENT 'Posting day (entry_date of the journal entries)',
    accounting_period       VARCHAR(32)   NULL COMMENT 'Code of the shortest accounting period containing the day, NULL if none',
    operating_cash_flow     DECIMAL(16,2) NOT NULL COMMENT 'Net cash movement of entries attributed to OPERATING (and of entries with only cash lines), currency units',
    investing_cash_flow     DECIMAL(16,2) NOT NULL COMMENT 'Net cash movement of entries attributed to INVESTING, currency units',
    financing_cash_flow     DECIMAL(16,2) NOT NULL COMMENT 'Net cash movement of entries attributed to FINANCING, currency units',
    net_change_in_cash      DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on CASH accounts during the day, currency units',
    cash_balance_beginning  DECIMAL(16,2) NOT NULL COMMENT 'Cumulative debit - credit on CASH accounts before the day, currency units',
    cash_balance_ending     DECIMAL(16,2) NOT NULL COMMENT 'cash_balance_beginning + net_change_in_cash, currency units',
    updated_at              DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date),
    KEY idx_cf_period (accounting_period DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily statement of cash flows (direct attribution of each entry to a cash flow category)';
