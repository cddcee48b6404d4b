-- genims_audit_db.compliance_gap_analysis: Quality non-conformances as gaps against ISO 9001:2015, with their corrective and preventive actions as the remediation, versioned on every change of the NCR or its actions.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS compliance_gap_analysis (
    gap_id                   BIGINT NOT NULL COMMENT 'Gap = non-conformance (quality.non_conformances.ncr_id)',
    record_version           INT UNSIGNED NOT NULL COMMENT 'Version of the gap, from 1',
    ncr_number               VARCHAR(64) NOT NULL COMMENT 'Business number of the non-conformance',
    analysis_date            DATE NOT NULL COMMENT 'UTC day of the latest change of the NCR or its actions (the state this version analyses)',
    opened_date              DATE NOT NULL COMMENT 'UTC day the non-conformance was opened',
    regulation               VARCHAR(64) NOT NULL COMMENT 'Standard the gap is measured against (ISO 9001:2015)',
    regulation_clause        VARCHAR(128) NOT NULL COMMENT 'Clause: 8.4 (externally provided, supplier set) or 8.7 (nonconforming outputs)',
    gap_description          TEXT NOT NULL COMMENT 'Description of the non-conformance',
    severity                 VARCHAR(32) NOT NULL COMMENT 'Severity of the non-conformance',
    gap_status               VARCHAR(16) NOT NULL COMMENT 'OPEN, UNDER_REVIEW or CLOSED (the NCR status)',
    product_id               BIGINT NULL COMMENT 'Product concerned',
    material_id              BIGINT NULL COMMENT 'Material concerned',
    supplier_id              BIGINT NULL COMMENT 'Supplier concerned',
    cost_impact              DECIMAL(16,2) NOT NULL COMMENT 'Cost of the non-conformance',
    corrective_action_count  INT NOT NULL COMMENT 'Corrective and preventive actions planned',
    open_action_count        INT NOT NULL COMMENT 'Actions not yet DONE',
    remediation_plan         TEXT NULL COMMENT 'The actions: type, description, due date and status, in order; NULL when none is planned',
    target_completion_date   DATE NULL COMMENT 'Latest due date of the actions',
    actual_completion_date   DATE NULL COMMENT 'UTC day the last action was completed, once all are DONE',
    verification_status      VARCHAR(32) NOT NULL COMMENT 'NO_ACTION_PLANNED, OVERDUE, IN_REMEDIATION, AWAITING_VERIFICATION, NOT_EFFECTIVE or VERIFIED_EFFECTIVE',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (gap_id, record_version),
    UNIQUE KEY uq_compliance_gap_analysis_chain (stream_id, stream_seq),
    KEY idx_compliance_gap_analysis_date (analysis_date),
    KEY idx_compliance_gap_analysis_status (verification_status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Non-conformances as ISO 9001 gaps with remediation and verification status, versioned on every change';
