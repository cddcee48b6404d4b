-- genims_audit_db: state of the audit pipeline itself (not audit records).
-- audit_chain_head: the head of every hash chain (stream), advanced under SELECT ... FOR UPDATE in
-- the same transaction as the rows. audit_ingest_cursor: the authoritative cursor per feed
-- (source database, or the Dagster instance), committed together with the rows it covers.

CREATE TABLE IF NOT EXISTS audit_chain_head (
    stream_id     VARCHAR(100) NOT NULL COMMENT 'Hash chain: <table> or <table>/<part>, e.g. system_audit_log/erp',
    table_name    VARCHAR(64) NOT NULL COMMENT 'Audit table the stream lives in',
    last_seq      BIGINT UNSIGNED NOT NULL COMMENT 'stream_seq of the last appended row (0 = empty)',
    last_hash     CHAR(64) NOT NULL COMMENT 'hash_sha256 of the last appended row (64 zeros = empty)',
    row_count     BIGINT UNSIGNED NOT NULL COMMENT 'Rows ever appended to the stream',
    updated_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'Last advance (UTC)',
    PRIMARY KEY (stream_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Head of every audit hash chain; locked FOR UPDATE by each append';

CREATE TABLE IF NOT EXISTS audit_ingest_cursor (
    feed               VARCHAR(64) NOT NULL COMMENT 'Logical source database (erp, crm, ...) or dagster',
    source_database    VARCHAR(64) NOT NULL COMMENT 'Physical database read last',
    source_epoch       VARCHAR(200) NOT NULL COMMENT 'Identity of the source: system id, database oid, timeline',
    source_generation  INT UNSIGNED NOT NULL COMMENT 'Bumped whenever source_epoch changes (restore, failover)',
    last_txid          BIGINT UNSIGNED NOT NULL COMMENT 'xid8 of the last ingested event (0 = none)',
    last_event_id      BIGINT UNSIGNED NOT NULL COMMENT 'Outbox event_id (or Dagster storage id) of the last ingested event',
    events_total       BIGINT UNSIGNED NOT NULL COMMENT 'Events ingested in this generation',
    last_captured_at   DATETIME(6) NULL COMMENT 'captured_at of the last ingested event (UTC)',
    last_ingest_at     DATETIME(6) NULL COMMENT 'When the last batch committed (UTC)',
    PRIMARY KEY (feed)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Authoritative ingest cursor per feed, committed with the audit rows it covers';

CREATE TABLE IF NOT EXISTS audit_source_generation (
    feed               VARCHAR(64) NOT NULL COMMENT 'Logical source database',
    source_generation  INT UNSIGNED NOT NULL COMMENT 'Generation number',
    source_epoch       VARCHAR(200) NOT NULL COMMENT 'Source identity of this generation',
    previous_epoch     VARCHAR(200) NULL COMMENT 'Identity of the generation before',
    started_at         DATETIME(6) NOT NULL COMMENT 'When the ingest first saw this identity (UTC)',
    PRIMARY KEY (feed, source_generation)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Every identity a source database had (initial, after a restore or a failover)';
