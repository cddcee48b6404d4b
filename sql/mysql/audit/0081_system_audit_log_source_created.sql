-- The outbox purge asks, per source and generation, for the last event audited before a cutoff
-- (ORDER BY created_at, transaction_id, source_event_id DESC LIMIT 1): this index answers it
-- from one end of a range, however many years of rows the source has.

CREATE INDEX idx_system_audit_log_source_created
    ON system_audit_log (source_db, source_generation, created_at, transaction_id, source_event_id);
