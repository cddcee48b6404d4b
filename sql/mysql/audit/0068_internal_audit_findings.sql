-- genims_audit_db.internal_audit_findings: Findings of internal audits (financial.internal_audit_findings) and their corrective actions, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS internal_audit_findings (
    finding_id               BIGINT NOT NULL COMMENT 'Finding (financial.internal_audit_findings)',
    record_version           INT UNSIGNED NOT NULL COMMENT 'Version of the finding, from 1',
    audit_date               DATE NOT NULL COMMENT 'Date of the audit',
    audit_area               VARCHAR(128) NOT NULL COMMENT 'Area audited',
    finding_description      TEXT NOT NULL COMMENT 'The finding',
    severity                 VARCHAR(16) NOT NULL COMMENT 'LOW, MEDIUM, HIGH or CRITICAL',
    responsible_department   VARCHAR(128) NOT NULL COMMENT 'Department that must act',
    corrective_action        TEXT NULL COMMENT 'Corrective action agreed',
    target_completion_date   DATE NULL COMMENT 'When the action is due',
    actual_completion_date   DATE NULL COMMENT 'When the action was completed',
    finding_status           VARCHAR(16) NOT NULL COMMENT 'OPEN, IN_PROGRESS or CLOSED',
    completed_on_time        VARCHAR(3) NULL COMMENT 'YES when completed by the target date, NO when later, NULL until completed or without a target',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (finding_id, record_version),
    UNIQUE KEY uq_internal_audit_findings_chain (stream_id, stream_seq),
    KEY idx_internal_audit_findings_date (audit_date),
    KEY idx_internal_audit_findings_status (finding_status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Internal audit findings and their corrective actions, versioned on every change';
