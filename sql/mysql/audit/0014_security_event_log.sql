-- genims_audit_db.security_event_log: Authentication failures and suspicious patterns (5 or more failed logins of one user within 10 minutes), and identity changes of source databases.
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS security_event_log (
    event_id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: security_event_log/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    event_timestamp       DATETIME(6) NOT NULL COMMENT 'When it happened (UTC)',
    event_type            VARCHAR(32) NOT NULL COMMENT 'AUTH_FAILURE, SUSPICIOUS_ACTIVITY or SOURCE_IDENTITY_CHANGED',
    rule_name             VARCHAR(64) NOT NULL COMMENT 'Rule that raised the event',
    user_id               VARCHAR(64) NULL COMMENT 'Application user id',
    username              VARCHAR(255) NULL COMMENT 'Login name',
    resource_accessed     VARCHAR(255) NULL COMMENT 'Application or database concerned',
    ip_address            VARCHAR(64) NULL COMMENT 'Client address',
    severity              VARCHAR(16) NOT NULL COMMENT 'CRITICAL, HIGH, MEDIUM or LOW',
    action_taken          VARCHAR(255) NOT NULL COMMENT 'What the platform did about it',
    details               TEXT NULL COMMENT 'Explanation',
    source_db             VARCHAR(32) NOT NULL COMMENT 'Logical source database (erp, crm, ...)',
    source_database       VARCHAR(64) NOT NULL COMMENT 'Physical PostgreSQL database',
    source_generation     INT UNSIGNED NOT NULL COMMENT 'Identity generation of the source (bumped after a restore or failover)',
    source_event_id       BIGINT UNSIGNED NOT NULL COMMENT 'genims.outbox event_id in the source',
    transaction_id        BIGINT UNSIGNED NOT NULL COMMENT 'Source transaction (xid8)',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_security_event_log_event (source_db, source_generation, source_event_id, event_type),
    UNIQUE KEY uq_security_event_log_id (event_id),
    KEY idx_security_event_log_user (username, event_type, event_timestamp),
    KEY idx_security_event_log_type_time (event_type, event_timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Authentication failures and suspicious patterns (5 or more failed logins of one user within 10 minutes), and identity changes of source databases';
