-- Units produced in the window straight from fact_machine_hourly (analytics), machines of a
-- known factory.
SELECT COALESCE(SUM(units_produced), 0) FROM fact_machine_hourly
WHERE date >= %(start)s AND date < %(end)s AND factory_id IS NOT NULL
