-- genims_audit_db.financial_transaction_audit: Every captured change of a money-moving record of erp and financial (journal lines and entries, sales and purchase orders and lines, disputes).
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS financial_transaction_audit (
    financial_audit_id    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: financial_transaction_audit/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    transaction_timestamp DATETIME(6) NOT NULL COMMENT 'Statement time of the change in the source (UTC)',
    financial_transaction_id VARCHAR(160) NOT NULL COMMENT 'The business transaction: <table>:<primary key>',
    transaction_type      VARCHAR(64) NOT NULL COMMENT 'Kind of record: JOURNAL_LINE, JOURNAL_ENTRY, SALES_ORDER, ...',
    operation             VARCHAR(16) NOT NULL COMMENT 'INSERT, UPDATE or DELETE of the record',
    amount                DECIMAL(16,2) NULL COMMENT 'Amount after the change (signed debit - credit for journal lines)',
    previous_amount       DECIMAL(16,2) NULL COMMENT 'Amount before the change',
    currency              VARCHAR(8) NULL COMMENT 'Currency of the amount',
    account_id            VARCHAR(64) NULL COMMENT 'GL account, customer or supplier the money moves on',
    document_id           VARCHAR(64) NULL COMMENT 'Document the record belongs to (journal entry, order)',
    user_id               VARCHAR(255) NULL COMMENT 'Application actor or database login',
    approval_status       VARCHAR(32) NULL COMMENT 'Status of the record after the change',
    approved_by           VARCHAR(64) NULL COMMENT 'Approver recorded on the record',
    reversal_transaction_id VARCHAR(160) NULL COMMENT 'Transaction this one reverses, if any',
    source_db             VARCHAR(32) NOT NULL COMMENT 'Logical source database (erp, crm, ...)',
    source_database       VARCHAR(64) NOT NULL COMMENT 'Physical PostgreSQL database',
    source_generation     INT UNSIGNED NOT NULL COMMENT 'Identity generation of the source (bumped after a restore or failover)',
    source_event_id       BIGINT UNSIGNED NOT NULL COMMENT 'genims.outbox event_id in the source',
    transaction_id        BIGINT UNSIGNED NOT NULL COMMENT 'Source transaction (xid8)',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_financial_transaction_audit_event (source_db, source_generation, source_event_id),
    UNIQUE KEY uq_financial_transaction_audit_id (financial_audit_id),
    KEY idx_financial_transaction_audit_account (account_id, transaction_timestamp),
    KEY idx_financial_transaction_audit_type (transaction_type, transaction_timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Every captured change of a money-moving record of erp and financial (journal lines and entries, sales and purchase orders and lines, disputes)';
