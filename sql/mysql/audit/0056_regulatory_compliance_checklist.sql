-- genims_audit_db.regulatory_compliance_checklist: A dated checklist of concrete controls evaluated from source data at the end of each review day (training, GDPR deadlines, supplier certification), versioned when the evaluation of a day changes.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS regulatory_compliance_checklist (
    checklist_id          VARCHAR(64) NOT NULL COMMENT 'Checklist item: <review_date>/<requirement_code>',
    record_version        INT UNSIGNED NOT NULL COMMENT 'Version of the evaluation, from 1',
    review_date           DATE NOT NULL COMMENT 'UTC day evaluated (state at the end of the day)',
    regulation_name       VARCHAR(64) NOT NULL COMMENT 'Regulation or standard (GDPR, ISO 9001:2015)',
    requirement_code      VARCHAR(32) NOT NULL COMMENT 'Stable code of the control',
    requirement_item      VARCHAR(255) NOT NULL COMMENT 'The control in words',
    status                VARCHAR(16) NOT NULL COMMENT 'COMPLIANT, NON_COMPLIANT, or NOT_APPLICABLE (nothing to check that day)',
    items_checked         INT NOT NULL COMMENT 'Population checked (employees, requests, suppliers)',
    items_failed          INT NOT NULL COMMENT 'Members of the population that fail the control',
    evidence              VARCHAR(1024) NOT NULL COMMENT 'The counts and the first failing ids',
    remediation_plan      VARCHAR(512) NULL COMMENT 'What to do when NON_COMPLIANT; NULL otherwise',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (checklist_id, record_version),
    UNIQUE KEY uq_regulatory_compliance_checklist_chain (stream_id, stream_seq),
    KEY idx_regulatory_compliance_checklist_date (review_date, requirement_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily checklist of compliance controls evaluated from source data';
