-- genims_audit_db.integration_audit_log: One row per asset materialisation of the platform: what moved from which sources into which table, how many rows, how long.
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS integration_audit_log (
    integration_id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: integration_audit_log/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    integration_timestamp DATETIME(6) NOT NULL COMMENT 'When the materialisation was recorded (UTC)',
    source_system         VARCHAR(512) NULL COMMENT 'Upstream databases of the asset',
    target_system         VARCHAR(255) NOT NULL COMMENT 'Database of the asset (first part of its key)',
    asset_key             VARCHAR(512) NOT NULL COMMENT 'Dagster asset key',
    partition_key         VARCHAR(255) NULL COMMENT 'Partition materialised',
    event_type            VARCHAR(32) NOT NULL COMMENT 'MATERIALIZATION',
    record_count          BIGINT NULL COMMENT 'dagster/row_count of the materialisation',
    success               VARCHAR(3) NOT NULL COMMENT 'YES',
    error_message         TEXT NULL COMMENT 'Reserved (failures are in exception_log)',
    duration_seconds      DECIMAL(12,3) NULL COMMENT 'duration_seconds of the materialisation',
    run_id                VARCHAR(64) NULL COMMENT 'Dagster run id',
    dagster_storage_id    BIGINT UNSIGNED NOT NULL COMMENT 'Event-log storage id',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_integration_audit_log_event (dagster_storage_id),
    UNIQUE KEY uq_integration_audit_log_id (integration_id),
    KEY idx_integration_audit_log_asset (asset_key(191), integration_timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='One row per asset materialisation of the platform: what moved from which sources into which table, how many rows, how long';
