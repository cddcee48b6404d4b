-- genims_audit_db.privacy_incident_report: Personal-data breaches (service.privacy_incidents) with the regulator notification and the 72-hour rule of GDPR Art. 33, versioned on every change.
-- Append-only and hash-chained (docs/audit.md); written by AppendVersions.

CREATE TABLE IF NOT EXISTS privacy_incident_report (
    incident_id                   BIGINT NOT NULL COMMENT 'Incident (service.privacy_incidents)',
    record_version                INT UNSIGNED NOT NULL COMMENT 'Version of the incident, from 1',
    incident_number               VARCHAR(64) NOT NULL COMMENT 'Business number of the incident',
    incident_date                 DATE NOT NULL COMMENT 'UTC day the incident was detected',
    detected_at                   DATETIME(6) NOT NULL COMMENT 'When the incident was detected (UTC)',
    incident_description          TEXT NOT NULL COMMENT 'What happened',
    affected_records_count        INT NOT NULL COMMENT 'Personal-data records affected',
    severity_level                VARCHAR(16) NOT NULL COMMENT 'LOW, MEDIUM, HIGH or CRITICAL',
    root_cause                    TEXT NULL COMMENT 'Root cause, once known',
    remediation_taken             TEXT NULL COMMENT 'Remediation, once taken',
    incident_status               VARCHAR(16) NOT NULL COMMENT 'OPEN, CONTAINED or CLOSED',
    regulatory_notification_date  DATE NULL COMMENT 'UTC day the supervisory authority was notified; NULL if not notified',
    regulator_notified_at         DATETIME(6) NULL COMMENT 'When the supervisory authority was notified (UTC)',
    hours_to_notification         DECIMAL(10,2) NULL COMMENT 'Hours from detection to notification',
    notified_within_72h           VARCHAR(3) NULL COMMENT 'YES when notified within 72 hours of detection, NO when later, NULL if not notified',
    content_sha256        CHAR(64) NOT NULL COMMENT 'SHA-256 of the business columns (a different hash is a new version)',
    stream_id             VARCHAR(100) NOT NULL COMMENT 'Hash chain of the row: the table name',
    stream_seq            BIGINT UNSIGNED NOT NULL COMMENT 'Position in the stream, gapless from 1',
    created_at            DATETIME(6) NOT NULL COMMENT 'When the version was appended (UTC); immutable and hashed',
    hash_sha256           CHAR(64) NOT NULL COMMENT 'SHA-256 of this row (docs/audit.md, Hash chain)',
    previous_hash_sha256  CHAR(64) NOT NULL COMMENT 'hash_sha256 of the previous row of the stream (64 zeros for the first)',
    canonical_payload     MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'Canonical JSON of the version, hashed verbatim',
    PRIMARY KEY (incident_id, record_version),
    UNIQUE KEY uq_privacy_incident_report_chain (stream_id, stream_seq),
    KEY idx_privacy_incident_report_date (incident_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Privacy incidents with regulator notification and the 72-hour rule, versioned on every change';
