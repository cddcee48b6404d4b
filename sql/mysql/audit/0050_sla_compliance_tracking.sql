-- genims_audit_db.sla_compliance_tracking: Service-level agreements of service tickets (RESPONSE, RESOLUTION) and shipments (DELIVERY), one row per record and SLA type, a new version whenever the measurement changes.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS sla_compliance_tracking (
    sla_id                VARCHAR(64) NOT NULL COMMENT 'SLA instance: <TICKET or SHIPMENT>:<source id>:<sla_type>, e.g. TICKET:123:RESPONSE',
    record_version        INT UNSIGNED NOT NULL COMMENT 'Version of the SLA instance, from 1',
    tracking_date         DATE NOT NULL COMMENT 'UTC day the SLA clock started (ticket opened, shipment shipped)',
    sla_type              VARCHAR(16) NOT NULL COMMENT 'RESPONSE, RESOLUTION or DELIVERY',
    source_record_type    VARCHAR(16) NOT NULL COMMENT 'SERVICE_TICKET (service.service_tickets) or SHIPMENT (tms.shipments)',
    source_record_id      BIGINT NOT NULL COMMENT 'ticket_id or shipment_id in the source',
    source_record_number  VARCHAR(64) NOT NULL COMMENT 'ticket_number or shipment_number',
    customer_id           BIGINT NOT NULL COMMENT 'Customer the SLA is owed to',
    target_metric         VARCHAR(64) NOT NULL COMMENT 'What target_value and actual_value measure, with their unit',
    target_value          DECIMAL(12,2) NOT NULL COMMENT 'Agreed limit: minutes (RESPONSE, RESOLUTION) or days from shipping to the planned delivery day (DELIVERY)',
    actual_value          DECIMAL(12,2) NULL COMMENT 'Measured value in the same unit; NULL while not yet measured',
    compliance_status     VARCHAR(16) NOT NULL COMMENT 'MET, BREACHED, or PENDING (not yet measured)',
    compliant             VARCHAR(3) NULL COMMENT 'YES when met, NO when breached, NULL while pending',
    violation_count       INT NOT NULL COMMENT '1 when the SLA was breached, else 0 (sums to the number of breaches)',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (sla_id, record_version),
    UNIQUE KEY uq_sla_compliance_tracking_chain (stream_id, stream_seq),
    KEY idx_sla_compliance_tracking_date (tracking_date, sla_type),
    KEY idx_sla_compliance_tracking_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='SLA compliance of service tickets (response, resolution) and shipments (delivery), versioned on every change of the measurement';
