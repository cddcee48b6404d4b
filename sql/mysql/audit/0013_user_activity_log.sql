-- genims_audit_db.user_activity_log: Application logins, logouts and failed logins (master.user_login_events, through change capture).
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS user_activity_log (
    activity_id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: user_activity_log/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    activity_timestamp    DATETIME(6) NOT NULL COMMENT 'When the login event happened (UTC)',
    user_id               VARCHAR(64) NULL COMMENT 'Application user id',
    username              VARCHAR(255) NOT NULL COMMENT 'Login name used',
    user_email            VARCHAR(255) NULL COMMENT 'Reserved (seed column)',
    action                VARCHAR(32) NOT NULL COMMENT 'LOGIN, LOGOUT or LOGIN_FAILED',
    activity_type         VARCHAR(32) AS (action) VIRTUAL COMMENT 'Alias of action',
    resource_type         VARCHAR(64) NOT NULL COMMENT 'APPLICATION',
    resource_id           VARCHAR(255) NULL COMMENT 'Application logged in to',
    application_name      VARCHAR(255) NULL COMMENT 'Application logged in to',
    ip_address            VARCHAR(64) NULL COMMENT 'Client address',
    user_agent            TEXT NULL COMMENT 'Client user agent',
    success               VARCHAR(3) NOT NULL COMMENT 'YES or NO',
    error_message         TEXT NULL COMMENT 'Failure reason of a failed login',
    login_event_id        BIGINT UNSIGNED NULL COMMENT 'user_login_events.login_event_id in the source',
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
    UNIQUE KEY uq_user_activity_log_event (source_db, source_generation, source_event_id),
    UNIQUE KEY uq_user_activity_log_id (activity_id),
    KEY idx_user_activity_log_user_time (user_id, activity_timestamp),
    KEY idx_user_activity_log_action_time (action, activity_timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Application logins, logouts and failed logins (master.user_login_events, through change capture)';
