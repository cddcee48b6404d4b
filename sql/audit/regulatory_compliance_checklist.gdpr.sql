-- GDPR Art. 12(3) for each review day in [start, end), as at the end of the day: data subject
-- requests are answered within 30 days of receipt. Checked: requests whose deadline fell in the
-- 30 days up to the end of the day, and every older one still unanswered then; failing: those
-- answered after their deadline or not answered by the end of the day.
WITH days AS (
    SELECT d::date AS review_date, d + interval '1 day' AS cutoff
    FROM generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 day',
                         interval '1 day') AS d
),
requests AS (
    SELECT r.request_id, r.received_at + interval '30 days' AS deadline,
           r.completed_at
    FROM gdpr_requests AS r
),
checked AS (
    SELECT days.review_date, r.request_id,
           r.completed_at IS NULL OR r.completed_at >= days.cutoff
               OR r.completed_at > r.deadline AS failed
    FROM days
    JOIN requests AS r
        ON r.deadline < days.cutoff
       AND (r.deadline >= days.cutoff - interval '30 days'
            OR r.completed_at IS NULL OR r.completed_at >= days.cutoff)
),
per_day AS (
    SELECT
        days.review_date,
        count(c.request_id) AS checked,
        count(c.request_id) FILTER (WHERE c.failed) AS failed,
        (SELECT string_agg('request ' || f.request_id, ', ' ORDER BY f.request_id)
         FROM (SELECT c2.request_id FROM checked AS c2
               WHERE c2.review_date = days.review_date AND c2.failed
               ORDER BY c2.request_id LIMIT 5) AS f) AS sample
    FROM days
    LEFT JOIN checked AS c ON c.review_date = days.review_date
    GROUP BY days.review_date
)
SELECT
    to_char(p.review_date, 'YYYY-MM-DD') || '/GDPR-ART12-30D' AS checklist_id,
    p.review_date,
    'GDPR' AS regulation_name,
    'GDPR-ART12-30D' AS requirement_code,
    'Data subject requests answered within 30 days of receipt' AS requirement_item,
    CASE
        WHEN p.checked = 0 THEN 'NOT_APPLICABLE'
        WHEN p.failed = 0 THEN 'COMPLIANT'
        ELSE 'NON_COMPLIANT'
    END AS status,
    p.checked::bigint AS items_checked,
    p.failed::bigint AS items_failed,
    p.failed || ' of ' || p.checked
        || ' requests due in the last 30 days or still open were not answered in time'
        || COALESCE(': ' || p.sample || CASE WHEN p.failed > 5 THEN ', ...' ELSE '' END, '')
        AS evidence,
    CASE
        WHEN p.failed > 0
            THEN 'Answer the overdue requests now, inform the data subjects, and review the '
                 || 'request handling capacity'
    END AS remediation_plan
FROM per_day AS p
