-- One row per general-ledger journal line, on the posting day.
CREATE TABLE IF NOT EXISTS fact_gl_journal_line (
    date              DATE          NOT NULL COMMENT 'Posting day (financial.journal_entries.entry_date), the partition column',
    journal_line_id   BIGINT        NOT NULL COMMENT 'Degenerate: financial.journal_entry_lines.journal_line_id',
    date_key          INT           NOT NULL COMMENT 'Posting day -> dim_date.date_key (its fiscal period is in dim_date)',
    gl_account_key    BIGINT        NOT NULL COMMENT 'Account -> dim_gl_account.gl_account_key (0 = unknown)',
    factory_key       BIGINT        NOT NULL COMMENT 'Factory of the line -> dim_factory.factory_key (0 = none or unknown)',
    journal_entry_id  BIGINT        NOT NULL COMMENT 'Degenerate: the journal entry',
    entry_number      VARCHAR(64)   NOT NULL COMMENT 'Degenerate: business number of the entry',
    line_no           SMALLINT      NOT NULL COMMENT 'Line number within the entry',
    account_id        BIGINT        NOT NULL COMMENT 'Natural id of the account (lineage)',
    cost_center_id    BIGINT        NULL COMMENT 'Cost centre (master.cost_centers)',
    factory_id        BIGINT        NULL COMMENT 'Natural id of the factory',
    period_id         BIGINT        NOT NULL COMMENT 'Accounting period the entry was posted to',
    source_module     VARCHAR(32)   NOT NULL COMMENT 'Module that posted the entry (SALES, PURCHASING, PAYROLL, ...)',
    entry_status      VARCHAR(16)   NOT NULL COMMENT 'POSTED or REVERSED',
    is_reversal       TINYINT       NOT NULL COMMENT '1 when the entry reverses another one',
    debit             DECIMAL(16,2) NOT NULL COMMENT 'Debit amount, currency units',
    credit            DECIMAL(16,2) NOT NULL COMMENT 'Credit amount, currency units',
    net_amount        DECIMAL(16,2) NOT NULL COMMENT 'debit - credit, currency units',
    updated_at        DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, journal_line_id),
    KEY idx_fgl_date_key (date_key),
    KEY idx_fgl_account (gl_account_key),
    KEY idx_fgl_factory (factory_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='General-ledger journal lines by posting day';
