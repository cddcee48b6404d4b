-- genims_audit_db.legal_hold_records: The business record of every legal hold placed or released: matter, case, what it covers, why, by whom.
-- Append-only and hash-chained (docs/audit.md); one stream (legal_hold_records). What the
-- purge trigger enforces is audit_legal_hold (0002); every change of it is recorded here in the
-- same transaction. See docs/retention.md.

CREATE TABLE IF NOT EXISTS legal_hold_records (
    legal_hold_record_id  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: legal_hold_records',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    hold_id               BIGINT UNSIGNED NOT NULL COMMENT 'The hold (audit_legal_hold.hold_id) the purge trigger enforces',
    action                VARCHAR(16) NOT NULL COMMENT 'PLACED or RELEASED',
    hold_date             DATETIME(6) NOT NULL COMMENT 'When the hold was placed (UTC)',
    case_name             VARCHAR(255) NOT NULL COMMENT 'Name of the case',
    legal_matter_id       VARCHAR(128) NOT NULL COMMENT 'Case or matter the hold belongs to',
    affected_entities     MEDIUMTEXT NOT NULL COMMENT 'Canonical JSON text: table, stream, covered creation period, rows covered, documents held',
    hold_reason           TEXT NULL COMMENT 'Why the hold was placed',
    hold_expiration_date  DATE NULL COMMENT 'Review date agreed with counsel; the hold stays until it is released',
    released_date         DATETIME(6) NULL COMMENT 'When the hold was released (RELEASED only; NULL otherwise)',
    release_reason        TEXT NULL COMMENT 'Why the hold was released (RELEASED only)',
    performed_by          VARCHAR(255) NOT NULL COMMENT 'Operator or component, and the database account',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_legal_hold_records_id (legal_hold_record_id),
    KEY idx_legal_hold_records_hold (hold_id, action),
    KEY idx_legal_hold_records_matter (legal_matter_id, created_at),
    KEY idx_legal_hold_records_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Every legal hold placed or released: matter, case, coverage, reason and who did it';
