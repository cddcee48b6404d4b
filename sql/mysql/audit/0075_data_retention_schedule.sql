-- genims_audit_db.data_retention_schedule: Every action of the retention job: what it planned, archived, purged, kept under a legal hold, previewed (dry run) or failed, per table and per window.
-- Append-only and hash-chained (docs/audit.md); one stream per pruned database
-- (data_retention_schedule/reporting, data_retention_schedule/audit). See docs/retention.md.

CREATE TABLE IF NOT EXISTS data_retention_schedule (
    retention_id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: data_retention_schedule/<reporting or audit>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    run_id                VARCHAR(64) NOT NULL COMMENT 'Retention run the action belongs to (Dagster run id, or cli-<id>)',
    database_name         VARCHAR(64) NOT NULL COMMENT 'Physical database of the table',
    table_name            VARCHAR(64) NOT NULL COMMENT 'Table the action concerns',
    window_start          DATETIME(6) NOT NULL COMMENT 'Start of the window (UTC): creation day of audit rows, first partition of reporting rows',
    window_end            DATETIME(6) NOT NULL COMMENT 'End of the window, exclusive (UTC)',
    retention_period_years DECIMAL(6,2) NOT NULL COMMENT 'Retention period in years (audit: days / 365)',
    retention_period_days INT UNSIGNED NOT NULL COMMENT 'Retention period in days (reporting: days of the rolling months on the day of the run)',
    deletion_date_calculated DATETIME(6) NOT NULL COMMENT 'Cut-off of the run: rows created (audit) or dated (reporting) before it were past retention',
    deletion_status       VARCHAR(16) NOT NULL COMMENT 'PLANNED, ARCHIVED, PURGED, HELD, DRY_RUN or FAILED',
    rows_affected         BIGINT NOT NULL COMMENT 'Rows planned, archived, purged, kept under hold or previewed by this action',
    archive_location      VARCHAR(512) NULL COMMENT 'Blob container/name of the archive of the purged audit rows; NULL when none',
    archive_sha256        CHAR(64) NULL COMMENT 'SHA-256 of the archive blob',
    hold_ids              VARCHAR(512) NULL COMMENT 'Legal holds (audit_legal_hold ids, comma-separated) that kept rows; NULL when none',
    last_review_date      DATE NOT NULL COMMENT 'Day of the run (UTC)',
    next_review_date      DATE NOT NULL COMMENT 'Day of the next scheduled run (UTC)',
    details               MEDIUMTEXT NULL COMMENT 'Canonical JSON: streams and seq ranges, partitions, reasons',
    performed_by          VARCHAR(255) NOT NULL COMMENT 'Component or operator, and the database account that deleted',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_data_retention_schedule_id (retention_id),
    KEY idx_data_retention_schedule_created (created_at),
    KEY idx_data_retention_schedule_table (table_name, deletion_status, created_at),
    KEY idx_data_retention_schedule_run (run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Every action of the retention job: planned, archived, purged, held, dry run or failed, per table and window';
