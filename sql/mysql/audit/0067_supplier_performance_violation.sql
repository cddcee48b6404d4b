-- genims_audit_db.supplier_performance_violation: Supplier performance violations derived by fixed rules (low monthly rating, goods received late, failed audit, expired certification), one row per violation, versioned when its source changes.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS supplier_performance_violation (
    violation_id            VARCHAR(64) NOT NULL COMMENT 'Violation: <rule>:<source id>, e.g. LOW_RATING:17, LATE_DELIVERY:901',
    record_version          INT UNSIGNED NOT NULL COMMENT 'Version of the violation, from 1',
    violation_date          DATE NOT NULL COMMENT 'When it happened: rated month, receipt day, audit date or expiry date',
    supplier_id             BIGINT NOT NULL COMMENT 'Supplier',
    violation_type          VARCHAR(32) NOT NULL COMMENT 'LOW_RATING, LATE_DELIVERY, FAILED_AUDIT or EXPIRED_CERTIFICATION',
    severity                VARCHAR(16) NOT NULL COMMENT 'LOW, MEDIUM or HIGH (rules in the asset description)',
    source_reference        VARCHAR(128) NOT NULL COMMENT 'Source record: table and business number',
    measured_value          DECIMAL(12,2) NULL COMMENT 'Rating (0-5), days late or audit score (0-100); NULL for certifications',
    threshold_value         DECIMAL(12,2) NULL COMMENT 'Limit the measured value broke; NULL where the source decided (audit result, certification status)',
    impact_on_operations    VARCHAR(512) NOT NULL COMMENT 'What the violation means for operations',
    remediation_required    VARCHAR(3) NOT NULL COMMENT 'YES when a corrective action plan is required, else NO',
    corrective_action_plan  VARCHAR(512) NULL COMMENT 'Standard plan of the rule; NULL when no remediation is required',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (violation_id, record_version),
    UNIQUE KEY uq_supplier_performance_violation_chain (stream_id, stream_seq),
    KEY idx_supplier_performance_violation_supplier (supplier_id, violation_date),
    KEY idx_supplier_performance_violation_date (violation_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Supplier performance violations derived by documented rules';
