-- genims_audit_db.dispute_resolution_log: Commercial disputes with customers and suppliers (financial.disputes) and how they were settled, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS dispute_resolution_log (
    dispute_id             BIGINT NOT NULL COMMENT 'Dispute (financial.disputes)',
    record_version         INT UNSIGNED NOT NULL COMMENT 'Version of the dispute, from 1',
    dispute_number         VARCHAR(64) NOT NULL COMMENT 'Business number of the dispute',
    dispute_date           DATE NOT NULL COMMENT 'UTC day the dispute was opened',
    opened_at              DATETIME(6) NOT NULL COMMENT 'When the dispute was opened (UTC)',
    dispute_type           VARCHAR(64) NOT NULL COMMENT 'Kind of dispute',
    party_1                VARCHAR(32) NOT NULL COMMENT 'GENIMS (the company)',
    party_2                VARCHAR(64) NOT NULL COMMENT 'Counterparty: CUSTOMER <id> and/or SUPPLIER <id>',
    customer_id            BIGINT NULL COMMENT 'Customer party',
    supplier_id            BIGINT NULL COMMENT 'Supplier party',
    amount_in_dispute      DECIMAL(16,2) NOT NULL COMMENT 'Amount disputed',
    status                 VARCHAR(16) NOT NULL COMMENT 'OPEN, UNDER_REVIEW or RESOLVED',
    resolution_date        DATE NULL COMMENT 'UTC day the dispute was resolved',
    days_to_resolution     DECIMAL(10,2) NULL COMMENT 'Days from opening to resolution',
    resolution_method      VARCHAR(64) NULL COMMENT 'How it was resolved',
    settlement_amount      DECIMAL(16,2) NULL COMMENT 'Amount settled',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (dispute_id, record_version),
    UNIQUE KEY uq_dispute_resolution_log_chain (stream_id, stream_seq),
    KEY idx_dispute_resolution_log_date (dispute_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Disputes with customers and suppliers and their resolution, versioned on every change';
