-- What the append-only triggers consult before they let the retention job delete a row:
-- the retention period per table and the legal holds. See docs/audit.md, "Append-only".

CREATE TABLE IF NOT EXISTS audit_retention_policy (
    table_name      VARCHAR(64) NOT NULL COMMENT 'Audit table, or * for every table without its own row',
    retention_days  INT UNSIGNED NOT NULL COMMENT 'Rows older than this many days (by created_at) may be purged',
    set_by          VARCHAR(255) NOT NULL COMMENT 'Who set the period',
    set_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'When (UTC)',
    PRIMARY KEY (table_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Retention period per audit table; no row here means nothing may be purged';

CREATE TABLE IF NOT EXISTS audit_legal_hold (
    hold_id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Hold id',
    legal_matter_id  VARCHAR(128) NOT NULL COMMENT 'Case or matter the hold belongs to',
    table_name       VARCHAR(64) NULL COMMENT 'Audit table held; NULL = every audit table',
    stream_id        VARCHAR(100) NULL COMMENT 'Stream held; NULL = every stream of the table',
    covers_from      DATETIME(6) NULL COMMENT 'First created_at held (UTC); NULL = from the beginning',
    covers_to        DATETIME(6) NULL COMMENT 'Last created_at held (UTC); NULL = open-ended',
    hold_reason      TEXT NULL COMMENT 'Why',
    placed_by        VARCHAR(255) NOT NULL COMMENT 'Who placed the hold',
    placed_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'When (UTC)',
    released_at      DATETIME(6) NULL COMMENT 'When the hold was released; NULL = active',
    PRIMARY KEY (hold_id),
    KEY idx_audit_legal_hold_table (table_name, released_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Legal holds the purge trigger enforces: a held row is never deleted';

INSERT IGNORE INTO audit_retention_policy (table_name, retention_days, set_by)
VALUES ('*', 2555, 'genims db init (7 years)');
