-- genims_audit_db.third_party_access_log: Every access of a supplier (third party) to the supplier portal (supplier.portal_access_log, insert-only), with what was accessed, why and who approved it.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS third_party_access_log (
    access_id             BIGINT NOT NULL COMMENT 'Access (supplier.portal_access_log)',
    record_version        INT UNSIGNED NOT NULL COMMENT 'Version of the access record, from 1',
    access_date           DATE NOT NULL COMMENT 'UTC day of the access',
    accessed_at           DATETIME(6) NOT NULL COMMENT 'When the access happened (UTC)',
    supplier_id           BIGINT NOT NULL COMMENT 'Supplier whose user accessed the portal',
    third_party_name      VARCHAR(255) NULL COMMENT 'Supplier name (master.suppliers); NULL if unknown to master data',
    user_name             VARCHAR(255) NOT NULL COMMENT 'Portal user of the supplier',
    data_accessed         VARCHAR(255) NOT NULL COMMENT 'Portal resource accessed',
    access_action         VARCHAR(64) NOT NULL COMMENT 'What the user did (view, download, upload, ...)',
    access_granted        VARCHAR(3) NOT NULL COMMENT 'YES when the access was granted, NO when refused',
    ip_address            VARCHAR(45) NULL COMMENT 'Client address',
    access_justification  TEXT NULL COMMENT 'Business justification recorded for the access',
    duration_minutes      INT NULL COMMENT 'Session length in minutes',
    access_approved_by    BIGINT NULL COMMENT 'Employee who approved the access',
    access_revoked_date   DATE NULL COMMENT 'UTC day the access was revoked',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (access_id, record_version),
    UNIQUE KEY uq_third_party_access_log_chain (stream_id, stream_seq),
    KEY idx_third_party_access_log_date (access_date),
    KEY idx_third_party_access_log_supplier (supplier_id, access_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Third-party (supplier portal) accesses, one row per access';
