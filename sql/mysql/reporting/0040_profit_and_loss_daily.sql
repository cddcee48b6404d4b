CREATE TABLE IF NOT EXISTS profit_and_loss_daily (
    date                DATE          NOT NULL COMMENT 'Posting day (entry_date of the journal entries)',
    accounting_period   VARCHAR(32)   NULL COMMENT 'Code of the shortest accounting period containing the day, NULL if none',
    revenue_total       DECIMAL(16,2) NOT NULL COMMENT 'Credit - debit on REVENUE accounts, currency units',
    other_income        DECIMAL(16,2) NOT NULL COMMENT 'Credit - debit on OTHER_INCOME accounts, currency units',
    cost_of_goods_sold  DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on COGS accounts, currency units',
    gross_margin        DECIMAL(16,2) NOT NULL COMMENT 'revenue_total - cost_of_goods_sold, currency units',
    operating_expenses  DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on OPEX accounts, currency units',
    operating_income    DECIMAL(16,2) NOT NULL COMMENT 'gross_margin - operating_expenses, currency units',
    interest_expense    DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on INTEREST accounts, currency units',
    taxes               DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on TAX accounts, currency units',
    net_income          DECIMAL(16,2) NOT NULL COMMENT 'operating_income + other_income - interest_expense - taxes, currency units',
    updated_at          DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date),
    KEY idx_pl_period (accounting_period DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily profit and loss statement from the general ledger';
