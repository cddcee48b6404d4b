-- genims_audit_db.batch_job_execution_log: One row per finished Dagster run of the platform (self-audit from the Dagster event log).
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS batch_job_execution_log (
    job_id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: batch_job_execution_log/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    execution_timestamp   DATETIME(6) NOT NULL COMMENT 'When the run started (UTC; enqueue time if it never started)',
    run_id                VARCHAR(64) NOT NULL COMMENT 'Dagster run id',
    job_name              VARCHAR(255) NOT NULL COMMENT 'Dagster job',
    job_type              VARCHAR(32) NOT NULL COMMENT 'SENSOR, AUTOMATION, SCHEDULE, BACKFILL or MANUAL',
    launched_by           VARCHAR(255) NULL COMMENT 'Sensor, schedule or user that launched it',
    status                VARCHAR(16) NOT NULL COMMENT 'COMPLETED, FAILED or CANCELED',
    records_processed     BIGINT NULL COMMENT 'Sum of dagster/row_count over the run''s materialisations',
    records_failed        BIGINT NULL COMMENT 'Failed steps',
    materializations      INT NULL COMMENT 'Asset materialisations of the run',
    execution_time_seconds DECIMAL(12,3) NULL COMMENT 'End minus start',
    next_run_timestamp    DATETIME(6) NULL COMMENT 'Reserved (seed column)',
    ended_at              DATETIME(6) NOT NULL COMMENT 'When the run ended (UTC)',
    dagster_storage_id    BIGINT UNSIGNED NOT NULL COMMENT 'Event-log storage id of the run''s final event',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_batch_job_execution_log_run (run_id),
    UNIQUE KEY uq_batch_job_execution_log_id (job_id),
    KEY idx_batch_job_execution_log_job (job_name, execution_timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='One row per finished Dagster run of the platform (self-audit from the Dagster event log)';
