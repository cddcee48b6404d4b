-- Security events that happened during the report day, per event type and severity.
SELECT event_type, severity, COUNT(*) AS events
FROM security_event_log
WHERE event_timestamp >= %(start)s AND event_timestamp < %(end)s
GROUP BY event_type, severity
ORDER BY event_type, severity
