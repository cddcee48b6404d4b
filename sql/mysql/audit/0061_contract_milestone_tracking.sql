-- genims_audit_db.contract_milestone_tracking: Milestones of supplier contracts (supplier.contract_milestones with their contract), planned against actual, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS contract_milestone_tracking (
    milestone_id           BIGINT NOT NULL COMMENT 'Milestone (supplier.contract_milestones)',
    record_version         INT UNSIGNED NOT NULL COMMENT 'Version of the milestone, from 1',
    tracking_date          DATE NOT NULL COMMENT 'UTC day of the latest change of the milestone (the state this version records)',
    contract_id            BIGINT NOT NULL COMMENT 'Contract (supplier.contracts)',
    contract_number        VARCHAR(64) NOT NULL COMMENT 'Business number of the contract',
    supplier_id            BIGINT NOT NULL COMMENT 'Supplier party to the contract',
    contract_status        VARCHAR(16) NOT NULL COMMENT 'DRAFT, ACTIVE, EXPIRED or TERMINATED',
    milestone_description  VARCHAR(512) NOT NULL COMMENT 'What is due',
    planned_date           DATE NOT NULL COMMENT 'When it is due',
    actual_date            DATE NULL COMMENT 'When it was achieved',
    milestone_status       VARCHAR(16) NOT NULL COMMENT 'PENDING, COMPLETE, LATE (completed late) or MISSED',
    status_complete        VARCHAR(3) NOT NULL COMMENT 'YES once achieved (an actual date is recorded), else NO',
    days_late              INT NULL COMMENT 'actual_date - planned_date in days once achieved (negative = early)',
    responsible_party      VARCHAR(64) NOT NULL COMMENT 'SUPPLIER, BUYER or JOINT',
    completion_evidence    TEXT NULL COMMENT 'Evidence of completion',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (milestone_id, record_version),
    UNIQUE KEY uq_contract_milestone_tracking_chain (stream_id, stream_seq),
    KEY idx_contract_milestone_tracking_contract (contract_id),
    KEY idx_contract_milestone_tracking_planned (planned_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Supplier contract milestones, planned against actual, versioned on every change';
