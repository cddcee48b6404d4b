-- Every privacy incident, whole table (a handful a year). GDPR Art. 33: notify the supervisory
-- authority within 72 hours of becoming aware of the breach (detected_at).
SELECT
    i.incident_id::bigint AS incident_id,
    i.incident_number,
    (i.detected_at AT TIME ZONE 'UTC')::date AS incident_date,
    i.detected_at,
    i.description AS incident_description,
    i.affected_records_count,
    i.severity AS severity_level,
    i.root_cause,
    i.remediation AS remediation_taken,
    i.status AS incident_status,
    (i.regulator_notified_at AT TIME ZONE 'UTC')::date AS regulatory_notification_date,
    i.regulator_notified_at,
    round((extract(epoch FROM i.regulator_notified_at - i.detected_at) / 3600)::numeric, 2)
        AS hours_to_notification,
    CASE
        WHEN i.regulator_notified_at IS NULL THEN NULL
        WHEN i.regulator_notified_at <= i.detected_at + interval '72 hours' THEN 'YES'
        ELSE 'NO'
    END AS notified_within_72h
FROM privacy_incidents AS i
