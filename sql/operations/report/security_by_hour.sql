-- Security events of the report day per UTC hour (hours without events are absent).
SELECT HOUR(event_timestamp) AS hour_utc, COUNT(*) AS events
FROM security_event_log
WHERE event_timestamp >= %(start)s AND event_timestamp < %(end)s
GROUP BY HOUR(event_timestamp)
ORDER BY hour_utc
