-- genims_audit_db.validation_rule_execution: One row per asset-check (data test) result of the platform.
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS validation_rule_execution (
    validation_id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: validation_rule_execution/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    execution_timestamp   DATETIME(6) NOT NULL COMMENT 'When the check ran (UTC)',
    rule_name             VARCHAR(255) NOT NULL COMMENT 'Asset check name',
    entity_type           VARCHAR(512) NOT NULL COMMENT 'Asset key the check tests',
    partition_key         VARCHAR(255) NULL COMMENT 'Partition tested',
    validation_result     VARCHAR(16) NOT NULL COMMENT 'PASSED or FAILED',
    severity              VARCHAR(16) NOT NULL COMMENT 'ERROR or WARN',
    records_passed        BIGINT NULL COMMENT 'Rows that passed, when the check reports it',
    records_failed        BIGINT NULL COMMENT 'Rows that failed (failed_rows metadata)',
    failure_reason        TEXT NULL COMMENT 'The check''s description of the result',
    run_id                VARCHAR(64) NULL COMMENT 'Dagster run id',
    dagster_storage_id    BIGINT UNSIGNED NOT NULL COMMENT 'Event-log storage id',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_validation_rule_execution_event (dagster_storage_id),
    UNIQUE KEY uq_validation_rule_execution_id (validation_id),
    KEY idx_validation_rule_execution_rule (rule_name, execution_timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='One row per asset-check (data test) result of the platform';
