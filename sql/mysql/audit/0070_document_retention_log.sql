-- genims_audit_db.document_retention_log: Every document the platform keeps outside MySQL (database backups, audit archives, digests, compliance reports) and every action on it: created, verified, retained, expired and deleted.
-- Append-only and hash-chained (docs/audit.md); one stream per document type.

CREATE TABLE IF NOT EXISTS document_retention_log (
    document_log_id       BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: document_retention_log/<document type>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    document_id           VARCHAR(512) NOT NULL COMMENT 'Stable id of the document: <container>/<blob name>',
    retention_date        DATETIME(6) NOT NULL COMMENT 'When the action happened (UTC)',
    document_type         VARCHAR(32) NOT NULL COMMENT 'BACKUP, AUDIT_ARCHIVE, AUDIT_DIGEST or COMPLIANCE_REPORT',
    action                VARCHAR(16) NOT NULL COMMENT 'CREATED, VERIFIED, VERIFY_FAILED, RETAINED, DELETED or HELD',
    retention_requirement VARCHAR(255) NOT NULL COMMENT 'Rule that governs the document, e.g. "audit backups: 2555 days"',
    deletion_scheduled_date DATE NULL COMMENT 'First day the document may be deleted (NULL = never)',
    deletion_executed_date DATETIME(6) NULL COMMENT 'When it was deleted (action DELETED only)',
    archived_location     VARCHAR(512) NOT NULL COMMENT 'Blob container/name',
    size_bytes            BIGINT UNSIGNED NULL COMMENT 'Size of the stored object',
    sha256                CHAR(64) NULL COMMENT 'SHA-256 of the stored object',
    details               MEDIUMTEXT NULL COMMENT 'Canonical JSON with what the action found or did',
    performed_by          VARCHAR(255) NOT NULL COMMENT 'Component or operator',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_document_retention_log_id (document_log_id),
    KEY idx_document_retention_log_document (document_id(191), retention_date),
    KEY idx_document_retention_log_type (document_type, action, retention_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Every document kept outside MySQL (backups, archives, digests, compliance reports) and every action on it';
