-- genims_audit_db.warranty_claim_audit: Warranty claims (service.warranty_claims) through approval and payout, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS warranty_claim_audit (
    claim_id               BIGINT NOT NULL COMMENT 'Warranty claim (service.warranty_claims)',
    record_version         INT UNSIGNED NOT NULL COMMENT 'Version of the claim, from 1',
    claim_number           VARCHAR(64) NOT NULL COMMENT 'Business number of the claim',
    claim_date             DATE NOT NULL COMMENT 'Date the claim was filed',
    product_id             BIGINT NOT NULL COMMENT 'Product claimed',
    customer_id            BIGINT NOT NULL COMMENT 'Claiming customer',
    ticket_id              BIGINT NULL COMMENT 'Service ticket of the claim',
    claim_amount           DECIMAL(16,2) NOT NULL COMMENT 'Amount claimed',
    claim_status           VARCHAR(16) NOT NULL COMMENT 'SUBMITTED, APPROVED, REJECTED or PAID',
    approval_date          DATE NULL COMMENT 'UTC day of the approval',
    approved_by            BIGINT NULL COMMENT 'Employee who approved the claim',
    payout_date            DATE NULL COMMENT 'Date the settlement was paid',
    settlement_amount      DECIMAL(16,2) NULL COMMENT 'Amount paid out',
    failure_description    TEXT NULL COMMENT 'Failure reported',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (claim_id, record_version),
    UNIQUE KEY uq_warranty_claim_audit_chain (stream_id, stream_seq),
    KEY idx_warranty_claim_audit_date (claim_date),
    KEY idx_warranty_claim_audit_product (product_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Warranty claims through approval and payout, versioned on every change';
