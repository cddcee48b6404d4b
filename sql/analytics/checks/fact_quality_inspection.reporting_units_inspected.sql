-- Units inspected in process and at final inspection on the same days in
-- genims_reporting_db.quality_summary_daily (which leaves out incoming inspections).
SELECT COALESCE(SUM(units_inspected), 0) FROM quality_summary_daily
WHERE date >= %(start)s AND date < %(end)s
