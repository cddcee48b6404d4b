-- Rows a blocking data test of a source-derived audit table rejected: kept for inspection,
-- never silently dropped (the builder writes them here, as in the other two databases). Not an
-- audit record itself: no hash chain, and the ingest role may write it.
CREATE TABLE IF NOT EXISTS etl_quarantine (
    quarantine_id  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate key',
    table_name     VARCHAR(64)   NOT NULL COMMENT 'Target table the rows were meant for',
    run_id         VARCHAR(64)   NOT NULL COMMENT 'Dagster run that rejected them',
    window_start   DATE          NULL COMMENT 'First day of the rejected window',
    window_end     DATE          NULL COMMENT 'Day after the last day of the rejected window',
    check_name     VARCHAR(64)   NOT NULL COMMENT 'Data test that failed',
    row_json       JSON          NOT NULL COMMENT 'The offending row as the test saw it',
    created_at     DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'When it was rejected',
    PRIMARY KEY (quarantine_id),
    KEY idx_quarantine_table (table_name, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Rows rejected by blocking data tests';
