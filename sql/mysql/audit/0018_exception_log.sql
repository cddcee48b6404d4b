-- genims_audit_db.exception_log: Failures of the platform's runs and steps (self-audit from the Dagster event log); messages are scrubbed of secrets.
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS exception_log (
    exception_id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: exception_log/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    exception_timestamp   DATETIME(6) NOT NULL COMMENT 'When it failed (UTC)',
    exception_type        VARCHAR(255) NOT NULL COMMENT 'Error class, or RUN_FAILURE',
    module_name           VARCHAR(255) NOT NULL COMMENT 'Job and step that failed',
    message               TEXT NULL COMMENT 'Error message',
    stack_trace           MEDIUMTEXT NULL COMMENT 'Stack trace',
    severity              VARCHAR(16) NOT NULL COMMENT 'CRITICAL, HIGH, MEDIUM or LOW',
    user_id               VARCHAR(255) NULL COMMENT 'Who launched the run, when known',
    session_id            VARCHAR(64) NULL COMMENT 'Dagster run id',
    step_key              VARCHAR(255) NULL COMMENT 'Failed step',
    dagster_storage_id    BIGINT UNSIGNED NOT NULL COMMENT 'Event-log storage id',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_exception_log_event (dagster_storage_id),
    UNIQUE KEY uq_exception_log_id (exception_id),
    KEY idx_exception_log_time (exception_timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Failures of the platform''s runs and steps (self-audit from the Dagster event log); messages are scrubbed of secrets';
