-- GDPR data subject requests as known at the end of the report day (the latest version of
-- each request appended before then), per request type: received that day, answered that day
-- (completed, denied, and answered after the 30-day deadline), still open, and open past
-- their legal deadline.
SELECT g.request_type,
       SUM(g.request_date = %(day)s) AS received,
       SUM(g.completion_date = %(day)s AND g.status = 'COMPLETED') AS completed,
       SUM(g.completion_date = %(day)s AND g.status = 'DENIED') AS denied,
       SUM(g.completion_date = %(day)s AND g.deadline_met = 'NO') AS answered_late,
       SUM(g.status IN ('PENDING', 'IN_PROGRESS')) AS still_open,
       SUM(g.status IN ('PENDING', 'IN_PROGRESS') AND g.legal_deadline_at < %(end)s) AS overdue
FROM gdpr_data_request_log AS g
JOIN (
    SELECT request_id, MAX(record_version) AS record_version
    FROM gdpr_data_request_log
    WHERE created_at < %(end)s
    GROUP BY request_id
) AS latest ON latest.request_id = g.request_id AND latest.record_version = g.record_version
GROUP BY g.request_type
ORDER BY g.request_type
