-- genims_audit_db.audit_trail_integrity: Every verification of the hash chains (incremental on every ingest, full daily), every digest exported to blob storage and checked, and retention checkpoints.
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS audit_trail_integrity (
    audit_id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: audit_trail_integrity/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    verification_timestamp DATETIME(6) NOT NULL COMMENT 'When the verification ran (UTC)',
    verification_type     VARCHAR(32) NOT NULL COMMENT 'INCREMENTAL, FULL, DIGEST_EXPORT, DIGEST_CHECK or RETENTION_CHECKPOINT',
    verified_stream       VARCHAR(100) NULL COMMENT 'Stream verified (NULL = several, see details)',
    audit_log_id          BIGINT UNSIGNED NULL COMMENT 'stream_seq of the last row verified (checkpoint: last row purged)',
    from_seq              BIGINT UNSIGNED NULL COMMENT 'First stream_seq verified',
    head_hash_sha256      CHAR(64) NULL COMMENT 'hash_sha256 of the last row verified (checkpoint: of the last row purged)',
    rows_verified         BIGINT UNSIGNED NOT NULL COMMENT 'Rows recomputed',
    streams_verified      INT UNSIGNED NOT NULL COMMENT 'Streams covered',
    verification_status   VARCHAR(16) NOT NULL COMMENT 'VALID or TAMPERED',
    problems              MEDIUMTEXT NULL COMMENT 'What was found, one line per problem',
    details               MEDIUMTEXT NULL COMMENT 'Canonical JSON: per stream from/to seq and head hash',
    digest_sha256         CHAR(64) NULL COMMENT 'SHA-256 of the exported or checked digest document',
    digest_location       VARCHAR(512) NULL COMMENT 'Blob container/name of the digest',
    verified_by           VARCHAR(255) NOT NULL COMMENT 'Component that verified',
    duration_ms           INT UNSIGNED NOT NULL COMMENT 'How long it took',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_audit_trail_integrity_id (audit_id),
    KEY idx_audit_trail_integrity_type (verification_type, verification_timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Every verification of the hash chains (incremental on every ingest, full daily), every digest exported to blob storage and checked, and retention checkpoints';
