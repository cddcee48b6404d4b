-- The calendar (financial database): every day from 1 January seven years before the current
-- year (the warehouse keeps seven years) or the first accounting period, whichever is earlier,
-- to 31 December two years ahead (the planning horizon) or the last accounting period,
-- whichever is later. Each day gets the shortest accounting period containing it.
WITH bounds AS (
    SELECT least(make_date(extract(year FROM current_date)::int - 7, 1, 1),
                 coalesce(min(start_date), current_date))                         AS first_day,
           greatest(make_date(extract(year FROM current_date)::int + 2, 12, 31),
                    coalesce(max(end_date), current_date))                        AS last_day
    FROM accounting_periods
),
days AS (
    SELECT d::date AS date
    FROM bounds, generate_series(first_day, last_day, interval '1 day') AS d
)
SELECT to_char(d.date, 'YYYYMMDD')::int                                  AS date_key,
       d.date,
       extract(isodow FROM d.date)::int                                  AS day_of_week,
       to_char(d.date, 'FMDay')                                          AS day_name,
       extract(day FROM d.date)::int                                     AS day_of_month,
       extract(doy FROM d.date)::int                                     AS day_of_year,
       extract(week FROM d.date)::int                                    AS iso_week,
       extract(isoyear FROM d.date)::int                                 AS iso_year,
       extract(month FROM d.date)::int                                   AS month_number,
       to_char(d.date, 'FMMonth')                                        AS month_name,
       extract(quarter FROM d.date)::int                                 AS quarter_number,
       extract(year FROM d.date)::int                                    AS year_number,
       to_char(d.date, 'YYYY-MM')                                        AS calendar_month,
       date_trunc('month', d.date)::date                                 AS month_start,
       (extract(isodow FROM d.date) >= 6)::int                           AS is_weekend,
       (d.date = (date_trunc('month', d.date) + interval '1 month - 1 day')::date)::int
                                                                         AS is_month_end,
       p.period_id::bigint                                               AS fiscal_period_id,
       p.period_code                                                     AS fiscal_period_code,
       p.start_date                                                      AS fiscal_period_start,
       p.end_date                                                        AS fiscal_period_end,
       p.status                                                          AS fiscal_period_status
FROM days d
LEFT JOIN LATERAL (
    SELECT period_id, period_code, start_date, end_date, status
    FROM accounting_periods ap
    WHERE ap.start_date <= d.date AND d.date <= ap.end_date
    ORDER BY ap.end_date - ap.start_date, ap.start_date
    LIMIT 1
) p ON true
