-- Self-audit rows are unique per (run, event-log storage id), not per storage id alone: storage
-- ids start again at 1 when a Dagster instance is recreated, run ids never repeat.

ALTER TABLE integration_audit_log
    DROP INDEX uq_integration_audit_log_event,
    ADD UNIQUE KEY uq_integration_audit_log_event (run_id, dagster_storage_id);

ALTER TABLE exception_log
    DROP INDEX uq_exception_log_event,
    ADD UNIQUE KEY uq_exception_log_event (session_id, dagster_storage_id);

ALTER TABLE validation_rule_execution
    DROP INDEX uq_validation_rule_execution_event,
    ADD UNIQUE KEY uq_validation_rule_execution_event (run_id, dagster_storage_id);
