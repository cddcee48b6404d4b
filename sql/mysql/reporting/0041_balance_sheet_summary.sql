CREATE TABLE IF NOT EXISTS balance_sheet_summary (
    date                      DATE          NOT NULL COMMENT 'Balance sheet date: balances as of the end of this day',
    accounting_period         VARCHAR(32)   NULL COMMENT 'Code of the shortest accounting period containing the day, NULL if none',
    current_assets            DECIMAL(16,2) NOT NULL COMMENT 'Cumulative debit - credit on CURRENT_ASSET accounts, currency units',
    fixed_assets              DECIMAL(16,2) NOT NULL COMMENT 'Cumulative debit - credit on FIXED_ASSET accounts, currency units',
    total_assets              DECIMAL(16,2) NOT NULL COMMENT 'Cumulative debit - credit on all ASSET accounts, currency units',
    current_liabilities       DECIMAL(16,2) NOT NULL COMMENT 'Cumulative credit - debit on CURRENT_LIABILITY accounts, currency units',
    long_term_liabilities     DECIMAL(16,2) NOT NULL COMMENT 'Cumulative credit - debit on LONG_TERM_LIABILITY accounts, currency units',
    total_liabilities         DECIMAL(16,2) NOT NULL COMMENT 'Cumulative credit - debit on all LIABILITY accounts, currency units',
    contributed_equity        DECIMAL(16,2) NOT NULL COMMENT 'Cumulative credit - debit on EQUITY accounts, currency units',
    retained_earnings         DECIMAL(16,2) NOT NULL COMMENT 'Cumulative net income: credit - debit on all REVENUE and EXPENSE accounts, currency units',
    shareholders_equity       DECIMAL(16,2) NOT NULL COMMENT 'contributed_equity + retained_earnings, currency units',
    balance_check_difference  DECIMAL(16,2) NOT NULL COMMENT 'total_assets - (total_liabilities + shareholders_equity), 0 when every entry balances',
    updated_at                DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date),
    KEY idx_bs_period (accounting_period DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily balance sheet summary: cumulative ledger balances at the end of each day';
