-- genims_audit_db.gdpr_data_request_log: Data subject requests (GDPR Art. 15-20) from crm.gdpr_requests and whether the 30-day legal deadline was met, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS gdpr_data_request_log (
    request_id            BIGINT NOT NULL COMMENT 'Request (crm.gdpr_requests)',
    record_version        INT UNSIGNED NOT NULL COMMENT 'Version of the request, from 1',
    request_number        VARCHAR(64) NOT NULL COMMENT 'Business number of the request',
    request_date          DATE NOT NULL COMMENT 'UTC day the request was received',
    received_at           DATETIME(6) NOT NULL COMMENT 'When the request was received (UTC); the legal clock starts here',
    data_subject_type     VARCHAR(32) NOT NULL COMMENT 'Kind of data subject (CUSTOMER_CONTACT, EMPLOYEE, SUPPLIER_CONTACT)',
    data_subject_id       BIGINT NOT NULL COMMENT 'Id of the data subject in its module',
    request_type          VARCHAR(16) NOT NULL COMMENT 'ACCESS, DELETE, PORTABILITY or RECTIFICATION',
    status                VARCHAR(16) NOT NULL COMMENT 'PENDING, IN_PROGRESS, COMPLETED or DENIED',
    legal_deadline_at     DATETIME(6) NOT NULL COMMENT 'received_at + 30 days (UTC): the deadline of GDPR Art. 12(3) as the platform applies it',
    completion_date       DATE NULL COMMENT 'UTC day the request was answered (completed or denied)',
    completed_at          DATETIME(6) NULL COMMENT 'When the request was answered (UTC)',
    days_to_complete      DECIMAL(10,2) NULL COMMENT 'Days from receipt to answer; NULL while open',
    deadline_met          VARCHAR(3) NULL COMMENT 'YES when answered by legal_deadline_at, NO when answered later, NULL while open',
    fulfilled_by          BIGINT NULL COMMENT 'Employee who answered the request',
    notes                 TEXT NULL COMMENT 'Notes of the request',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (request_id, record_version),
    UNIQUE KEY uq_gdpr_data_request_log_chain (stream_id, stream_seq),
    KEY idx_gdpr_data_request_log_date (request_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='GDPR data subject requests with the 30-day legal deadline, versioned on every change';
