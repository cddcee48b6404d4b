-- genims_audit_db.quality_hold_records: Material and product put on quality hold (quality.quality_holds), the release and its documentation, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS quality_hold_records (
    hold_id                BIGINT NOT NULL COMMENT 'Hold (quality.quality_holds)',
    record_version         INT UNSIGNED NOT NULL COMMENT 'Version of the hold, from 1',
    hold_number            VARCHAR(64) NOT NULL COMMENT 'Business number of the hold',
    hold_date              DATE NOT NULL COMMENT 'UTC day the hold was placed',
    placed_at              DATETIME(6) NOT NULL COMMENT 'When the hold was placed (UTC)',
    material_id            BIGINT NULL COMMENT 'Material on hold',
    product_id             BIGINT NULL COMMENT 'Product on hold',
    warehouse_id           BIGINT NULL COMMENT 'Warehouse holding the stock',
    quantity_on_hold       DECIMAL(16,3) NOT NULL COMMENT 'Quantity on hold',
    reason_on_hold         TEXT NOT NULL COMMENT 'Why it was put on hold',
    placed_by              BIGINT NULL COMMENT 'Employee who placed the hold',
    hold_status            VARCHAR(16) NOT NULL COMMENT 'ON_HOLD or RELEASED',
    released_date          DATE NULL COMMENT 'UTC day of the release',
    released_by            BIGINT NULL COMMENT 'Employee who released it',
    hours_on_hold          DECIMAL(10,2) NULL COMMENT 'Hours from placing to release; NULL while on hold',
    disposition            VARCHAR(32) NULL COMMENT 'RELEASE, REWORK, SCRAP or RETURN_TO_VENDOR',
    analysis_performed     TEXT NULL COMMENT 'Analysis done before the release',
    root_cause_identified  TEXT NULL COMMENT 'Root cause found',
    release_documented     VARCHAR(3) NULL COMMENT 'For a release: YES when disposition, analysis and releasing employee are all recorded, else NO; NULL while on hold',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (hold_id, record_version),
    UNIQUE KEY uq_quality_hold_records_chain (stream_id, stream_seq),
    KEY idx_quality_hold_records_date (hold_date),
    KEY idx_quality_hold_records_material (material_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Quality holds and their documented release, versioned on every change';
