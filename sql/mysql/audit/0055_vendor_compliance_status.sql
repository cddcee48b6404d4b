-- genims_audit_db.vendor_compliance_status: Compliance of every supplier from its certifications and audits (supplier module) with a score, versioned whenever the assessment changes.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS vendor_compliance_status (
    vendor_id                    BIGINT NOT NULL COMMENT 'Supplier (master.suppliers.supplier_id)',
    record_version               INT UNSIGNED NOT NULL COMMENT 'Version of the assessment, from 1',
    assessment_date              DATE NOT NULL COMMENT 'UTC day of the latest change of the supplier''s certifications or audits (creation day of the supplier when it has none)',
    vendor_name                  VARCHAR(255) NOT NULL COMMENT 'Supplier name (master.suppliers)',
    vendor_active                VARCHAR(3) NOT NULL COMMENT 'YES when the supplier is active in master data',
    compliance_score             DECIMAL(5,2) NOT NULL COMMENT 'Score 0-100 points: 0.6 x last audit score + 0.4 x 100 x valid / all certifications',
    compliance_status            VARCHAR(16) NOT NULL COMMENT 'COMPLIANT, CONDITIONAL or NON_COMPLIANT (rules in the asset description)',
    certifications               VARCHAR(1024) NULL COMMENT 'Valid certifications with their expiry, separated by semicolons (ISO 9001 until 2027-03-01); NULL when none',
    certification_count          INT NOT NULL COMMENT 'Certifications on record',
    valid_certification_count    INT NOT NULL COMMENT 'Certifications with status VALID',
    has_iso_9001                 VARCHAR(3) NOT NULL COMMENT 'YES when a valid ISO 9001 certification is on record',
    last_audit_date              DATE NULL COMMENT 'Date of the latest supplier audit',
    last_audit_result            VARCHAR(16) NULL COMMENT 'PASS, CONDITIONAL or FAIL of the latest audit',
    last_audit_score             DECIMAL(5,2) NULL COMMENT 'Score 0-100 of the latest audit',
    next_audit_required_date     DATE NULL COMMENT 'Next audit due (the audit''s next_audit_due, else one year after it)',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (vendor_id, record_version),
    UNIQUE KEY uq_vendor_compliance_status_chain (stream_id, stream_seq),
    KEY idx_vendor_compliance_status_status (compliance_status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Supplier compliance from certifications and audits, versioned whenever the assessment changes';
