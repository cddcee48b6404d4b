-- General-ledger accounts (type 1) with the statement they report on.
CREATE TABLE IF NOT EXISTS dim_gl_account (
    gl_account_key      BIGINT        NOT NULL COMMENT 'Surrogate key; facts join on it (fact.gl_account_key = dim_gl_account.gl_account_key); 0 = unknown member',
    account_id          BIGINT        NOT NULL COMMENT 'Natural key: financial.gl_accounts.account_id (-1 for the unknown member)',
    account_number      VARCHAR(32)   NOT NULL COMMENT 'Account number of the chart of accounts',
    account_name        VARCHAR(200)  NOT NULL COMMENT 'Name of the account',
    account_type        VARCHAR(16)   NULL COMMENT 'ASSET, LIABILITY, EQUITY, REVENUE or EXPENSE',
    account_subtype     VARCHAR(32)   NULL COMMENT 'Finer class used by the statements (CURRENT_ASSET, REVENUE, COGS, OPEX, ...)',
    cash_flow_category  VARCHAR(16)   NULL COMMENT 'OPERATING, INVESTING, FINANCING or CASH',
    cost_element        VARCHAR(16)   NULL COMMENT 'MATERIAL, LABOR or OVERHEAD for expense accounts',
    statement           VARCHAR(16)   NULL COMMENT 'INCOME (revenue and expense accounts) or BALANCE (the others)',
    normal_balance      VARCHAR(6)    NULL COMMENT 'DEBIT for asset and expense accounts, CREDIT for the others',
    is_active           TINYINT       NULL COMMENT '1 while postings are allowed',
    row_hash            CHAR(64)      NOT NULL COMMENT 'SHA-256 of the attributes (change detection of the type-1 merge)',
    updated_at          DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (gl_account_key),
    -- grain: (account_id)
    UNIQUE KEY uq_dim_gl_account_id (account_id),
    KEY idx_dim_gl_account_subtype (account_subtype)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='General-ledger accounts (type 1)';

INSERT IGNORE INTO dim_gl_account (gl_account_key, account_id, account_number, account_name, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown account', '', CURRENT_TIMESTAMP(6));
