-- Faults started on the same days in genims_reporting_db.downtime_summary_daily.
SELECT COALESCE(SUM(fault_count), 0) FROM downtime_summary_daily
WHERE date >= %(start)s AND date < %(end)s
