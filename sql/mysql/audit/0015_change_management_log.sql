-- genims_audit_db.change_management_log: Schema changes: captured DDL of the 13 source databases and the schema migrations of the 3 MySQL databases.
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS change_management_log (
    change_id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: change_management_log/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    change_date           DATETIME(6) NOT NULL COMMENT 'When the change was made (UTC)',
    change_description    TEXT NOT NULL COMMENT 'What changed',
    change_type           VARCHAR(32) NOT NULL COMMENT 'SOURCE_DDL or SCHEMA_MIGRATION',
    change_source         VARCHAR(64) NOT NULL COMMENT 'pg:<logical source> or mysql:<target database>',
    change_ref            VARCHAR(128) NOT NULL COMMENT 'Outbox event id or migration version',
    source_generation     INT UNSIGNED NOT NULL COMMENT 'Identity generation of a source (0 for MySQL migrations)',
    object_type           VARCHAR(64) NULL COMMENT 'table, index, function, migration ...',
    object_identity       VARCHAR(512) NULL COMMENT 'Object changed',
    command_tag           VARCHAR(64) NULL COMMENT 'ALTER TABLE, CREATE INDEX, ... or the migration name',
    performed_by          VARCHAR(255) NULL COMMENT 'Database login or account that made the change',
    approved_by           VARCHAR(255) NULL COMMENT 'Reserved (seed column)',
    approval_date         DATETIME(6) NULL COMMENT 'Reserved (seed column)',
    implementation_date   DATETIME(6) NOT NULL COMMENT 'When it took effect (UTC)',
    rollback_if_failed    VARCHAR(255) NULL COMMENT 'How to roll back (migrations: a new migration)',
    checksum              VARCHAR(64) NULL COMMENT 'SHA-256 of the migration file',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_change_management_log_ref (change_source, source_generation, change_ref),
    UNIQUE KEY uq_change_management_log_id (change_id),
    KEY idx_change_management_log_date (change_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Schema changes: captured DDL of the 13 source databases and the schema migrations of the 3 MySQL databases';
