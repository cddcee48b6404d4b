-- Audit tables are read by day of creation: the daily compliance report counts one day's rows
-- and retention looks for rows past their period. Without these indexes both would scan tables
-- that keep seven years of history.

CREATE INDEX idx_system_audit_log_created ON system_audit_log (created_at);
CREATE INDEX idx_data_change_audit_created ON data_change_audit (created_at);
CREATE INDEX idx_financial_transaction_audit_created ON financial_transaction_audit (created_at);
CREATE INDEX idx_user_activity_log_created ON user_activity_log (created_at);
CREATE INDEX idx_security_event_log_created ON security_event_log (created_at);
CREATE INDEX idx_change_management_log_created ON change_management_log (created_at);
CREATE INDEX idx_batch_job_execution_log_created ON batch_job_execution_log (created_at);
CREATE INDEX idx_integration_audit_log_created ON integration_audit_log (created_at);
CREATE INDEX idx_exception_log_created ON exception_log (created_at);
CREATE INDEX idx_validation_rule_execution_created ON validation_rule_execution (created_at);
CREATE INDEX idx_audit_trail_integrity_created ON audit_trail_integrity (created_at);
CREATE INDEX idx_sla_compliance_tracking_created ON sla_compliance_tracking (created_at);
CREATE INDEX idx_gdpr_data_request_log_created ON gdpr_data_request_log (created_at);
CREATE INDEX idx_privacy_incident_report_created ON privacy_incident_report (created_at);
CREATE INDEX idx_third_party_access_log_created ON third_party_access_log (created_at);
CREATE INDEX idx_compliance_gap_analysis_created ON compliance_gap_analysis (created_at);
CREATE INDEX idx_vendor_compliance_status_created ON vendor_compliance_status (created_at);
CREATE INDEX idx_regulatory_compliance_checklist_created ON regulatory_compliance_checklist (created_at);
CREATE INDEX idx_approval_workflow_history_created ON approval_workflow_history (created_at);
CREATE INDEX idx_contract_milestone_tracking_created ON contract_milestone_tracking (created_at);
CREATE INDEX idx_quality_hold_records_created ON quality_hold_records (created_at);
CREATE INDEX idx_dispute_resolution_log_created ON dispute_resolution_log (created_at);
CREATE INDEX idx_warranty_claim_audit_created ON warranty_claim_audit (created_at);
CREATE INDEX idx_product_recall_log_created ON product_recall_log (created_at);
CREATE INDEX idx_customer_complaint_tracking_created ON customer_complaint_tracking (created_at);
CREATE INDEX idx_supplier_performance_violation_created ON supplier_performance_violation (created_at);
CREATE INDEX idx_internal_audit_findings_created ON internal_audit_findings (created_at);
CREATE INDEX idx_document_retention_log_created ON document_retention_log (created_at);
