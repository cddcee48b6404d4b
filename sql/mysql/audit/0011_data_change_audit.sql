-- genims_audit_db.data_change_audit: One row per column an UPDATE changed in an audited (sensitive) source table; INSERT and DELETE images are in system_audit_log.
-- Append-only and hash-chained (docs/audit.md).

CREATE TABLE IF NOT EXISTS data_change_audit (
    change_id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'Surrogate id assigned by the server (not hashed)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: data_change_audit/<part>',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    audit_sequence        BIGINT UNSIGNED AS (stream_seq) VIRTUAL COMMENT 'Alias of stream_seq',
    change_timestamp      DATETIME(6) NOT NULL COMMENT 'Statement time of the change in the source (UTC)',
    source_db             VARCHAR(32) NOT NULL COMMENT 'Logical source database (erp, crm, ...)',
    source_database       VARCHAR(64) NOT NULL COMMENT 'Physical PostgreSQL database',
    source_generation     INT UNSIGNED NOT NULL COMMENT 'Identity generation of the source (bumped after a restore or failover)',
    source_event_id       BIGINT UNSIGNED NOT NULL COMMENT 'genims.outbox event_id in the source',
    transaction_id        BIGINT UNSIGNED NOT NULL COMMENT 'Source transaction (xid8)',
    schema_name           VARCHAR(64) NOT NULL COMMENT 'Schema of the changed table',
    table_name            VARCHAR(128) NOT NULL COMMENT 'Changed table',
    column_name           VARCHAR(128) NOT NULL COMMENT 'Changed column',
    primary_key           VARCHAR(512) NULL COMMENT 'Primary key of the changed row (value, or canonical JSON if composite)',
    primary_key_value     VARCHAR(512) AS (primary_key) VIRTUAL COMMENT 'Alias of primary_key',
    old_value             MEDIUMTEXT NULL COMMENT 'Value before: text of a scalar, canonical JSON of an object or array; NULL for SQL NULL',
    new_value             MEDIUMTEXT NULL COMMENT 'Value after, same encoding',
    change_type           VARCHAR(16) NOT NULL COMMENT 'UPDATE',
    user_id               VARCHAR(255) NULL COMMENT 'Application actor or database login',
    change_reason         VARCHAR(255) NULL COMMENT 'Application that made the change (application_name)',
    reason_code           VARCHAR(64) NULL COMMENT 'Reserved (seed column)',
    approval_id           VARCHAR(64) NULL COMMENT 'Reserved (seed column)',
    approved_by           VARCHAR(255) NULL COMMENT 'Reserved (seed column)',
    approval_timestamp    DATETIME(6) NULL COMMENT 'Reserved (seed column)',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the row was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the row, hashed verbatim',
    PRIMARY KEY (stream_id, stream_seq),
    UNIQUE KEY uq_data_change_audit_event (source_db, source_generation, source_event_id, column_name),
    UNIQUE KEY uq_data_change_audit_id (change_id),
    KEY idx_data_change_audit_table_time (table_name, change_timestamp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='One row per column an UPDATE changed in an audited (sensitive) source table; INSERT and DELETE images are in system_audit_log';
