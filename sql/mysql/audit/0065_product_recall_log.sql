-- genims_audit_db.product_recall_log: Product recalls (quality.recalls) and their progress, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS product_recall_log (
    recall_id                   BIGINT NOT NULL COMMENT 'Recall (quality.recalls)',
    record_version              INT UNSIGNED NOT NULL COMMENT 'Version of the recall, from 1',
    recall_number               VARCHAR(64) NOT NULL COMMENT 'Business number of the recall',
    recall_date                 DATE NOT NULL COMMENT 'UTC day the recall was initiated',
    product_id                  BIGINT NOT NULL COMMENT 'Product recalled',
    recall_reason               TEXT NOT NULL COMMENT 'Why',
    units_affected              INT NOT NULL COMMENT 'Units in the field concerned',
    units_recalled              INT NOT NULL COMMENT 'Units recalled so far',
    units_returned              INT NOT NULL COMMENT 'Units returned so far',
    units_destroyed             INT NOT NULL COMMENT 'Units destroyed so far',
    recall_effectiveness_ratio  DECIMAL(9,6) NULL COMMENT 'units_recalled / units_affected (fraction); NULL when no unit is affected',
    regulatory_authority        VARCHAR(64) NULL COMMENT 'Authority the recall is reported to',
    recall_status               VARCHAR(16) NOT NULL COMMENT 'OPEN, IN_PROGRESS or COMPLETED',
    completion_date             DATE NULL COMMENT 'UTC day the recall was completed',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (recall_id, record_version),
    UNIQUE KEY uq_product_recall_log_chain (stream_id, stream_seq),
    KEY idx_product_recall_log_product (product_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Product recalls and their progress, versioned on every change';
