-- ISO 9001:2015 7.2 (competence) for each review day in [start, end), as at the end of the day:
-- every active employee holds current certificates. A certificate that expires is refresher
-- training, so mandatory: it fails when the employee's latest successful completion of that
-- course (completed before the end of the day) expired before the end of the day.
WITH days AS (
    SELECT d::date AS review_date, d + interval '1 day' AS cutoff
    FROM generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 day',
                         interval '1 day') AS d
),
active AS (
    SELECT days.review_date, e.employee_id
    FROM days
    JOIN employees AS e
        ON e.hire_date <= days.review_date
       AND (e.termination_date IS NULL OR e.termination_date > days.review_date)
),
latest AS (
    SELECT DISTINCT ON (days.review_date, t.employee_id, t.course_code)
        days.review_date, t.employee_id, t.course_code,
        t.expires_at IS NOT NULL AND t.expires_at < days.cutoff AS expired
    FROM days
    JOIN training_records AS t
        ON t.completed_at < days.cutoff AND t.status IN ('COMPLETED', 'EXPIRED')
    ORDER BY days.review_date, t.employee_id, t.course_code, t.completed_at DESC,
             t.training_id DESC
),
failing AS (
    SELECT a.review_date, a.employee_id,
           string_agg(l.course_code, ' ' ORDER BY l.course_code) AS courses
    FROM active AS a
    JOIN latest AS l ON l.review_date = a.review_date AND l.employee_id = a.employee_id
    WHERE l.expired
    GROUP BY a.review_date, a.employee_id
),
per_day AS (
    SELECT
        days.review_date,
        (SELECT count(*) FROM active AS a WHERE a.review_date = days.review_date) AS checked,
        (SELECT count(*) FROM failing AS f WHERE f.review_date = days.review_date) AS failed,
        (SELECT string_agg('employee ' || f.employee_id || ' (' || f.courses || ')', ', '
                           ORDER BY f.employee_id)
         FROM (SELECT * FROM failing AS f0 WHERE f0.review_date = days.review_date
               ORDER BY f0.employee_id LIMIT 5) AS f) AS sample
    FROM days
)
SELECT
    to_char(p.review_date, 'YYYY-MM-DD') || '/ISO9001-7.2-TRAINING' AS checklist_id,
    p.review_date,
    'ISO 9001:2015' AS regulation_name,
    'ISO9001-7.2-TRAINING' AS requirement_code,
    'Active employees hold current certificates of their refresher-mandatory training'
        AS requirement_item,
    CASE
        WHEN p.checked = 0 THEN 'NOT_APPLICABLE'
        WHEN p.failed = 0 THEN 'COMPLIANT'
        ELSE 'NON_COMPLIANT'
    END AS status,
    p.checked::bigint AS items_checked,
    p.failed::bigint AS items_failed,
    p.failed || ' of ' || p.checked || ' active employees hold an expired certificate'
        || COALESCE(': ' || p.sample || CASE WHEN p.failed > 5 THEN ', ...' ELSE '' END, '')
        AS evidence,
    CASE
        WHEN p.failed > 0
            THEN 'Schedule refresher training for the employees listed and track completion'
    END AS remediation_plan
FROM per_day AS p
