-- genims_audit_db.customer_complaint_tracking: Customer complaints (crm.cases flagged is_complaint) from opening to resolution and compensation, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS customer_complaint_tracking (
    complaint_id           BIGINT NOT NULL COMMENT 'Complaint (crm.cases.case_id)',
    record_version         INT UNSIGNED NOT NULL COMMENT 'Version of the complaint, from 1',
    case_number            VARCHAR(64) NOT NULL COMMENT 'Business number of the case',
    complaint_date         DATE NOT NULL COMMENT 'UTC day the complaint was opened',
    opened_at              DATETIME(6) NOT NULL COMMENT 'When the complaint was opened (UTC)',
    customer_id            BIGINT NOT NULL COMMENT 'Complaining customer',
    complaint_category     VARCHAR(64) NOT NULL COMMENT 'Category of the case',
    severity_level         VARCHAR(16) NOT NULL COMMENT 'LOW, MEDIUM, HIGH or CRITICAL',
    status                 VARCHAR(16) NOT NULL COMMENT 'OPEN, IN_PROGRESS, RESOLVED or CLOSED',
    resolution_date        DATE NULL COMMENT 'UTC day the complaint was resolved',
    days_to_resolution     DECIMAL(10,2) NULL COMMENT 'Days from opening to resolution',
    compensation_amount    DECIMAL(16,2) NOT NULL COMMENT 'Compensation granted',
    complaint_description  TEXT NULL COMMENT 'What the customer complained about',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (complaint_id, record_version),
    UNIQUE KEY uq_customer_complaint_tracking_chain (stream_id, stream_seq),
    KEY idx_customer_complaint_tracking_date (complaint_date),
    KEY idx_customer_complaint_tracking_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Customer complaints from opening to resolution, versioned on every change';
