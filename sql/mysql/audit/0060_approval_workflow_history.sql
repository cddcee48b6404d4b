-- genims_audit_db.approval_workflow_history: Every approval step of ERP documents (erp.approvals): who was asked, what they decided and when, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS approval_workflow_history (
    workflow_id           BIGINT NOT NULL COMMENT 'Approval step (erp.approvals.approval_id)',
    record_version        INT UNSIGNED NOT NULL COMMENT 'Version of the step, from 1',
    workflow_timestamp    DATETIME(6) NOT NULL COMMENT 'When the document was submitted to this step (UTC)',
    document_type         VARCHAR(64) NOT NULL COMMENT 'Kind of document (purchase order, invoice, ...)',
    document_id           BIGINT NOT NULL COMMENT 'Document id in its module',
    step_no               INT NOT NULL COMMENT 'Step of the approval chain, from 1',
    workflow_status       VARCHAR(16) NOT NULL COMMENT 'SUBMITTED, APPROVED or REJECTED',
    approver_id           BIGINT NOT NULL COMMENT 'Employee asked to approve',
    approval_date         DATE NULL COMMENT 'UTC day of the decision; NULL while undecided',
    decided_at            DATETIME(6) NULL COMMENT 'When the approver decided (UTC)',
    decision_hours        DECIMAL(10,2) NULL COMMENT 'Hours from submission to decision',
    comments              TEXT NULL COMMENT 'Approver comments',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (workflow_id, record_version),
    UNIQUE KEY uq_approval_workflow_history_chain (stream_id, stream_seq),
    KEY idx_approval_workflow_history_time (workflow_timestamp),
    KEY idx_approval_workflow_history_document (document_type, document_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Approval steps of ERP documents, versioned on every change';
