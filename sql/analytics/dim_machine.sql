-- Machines with their line and factory (master database).
SELECT m.machine_id::bigint AS machine_id, m.machine_code, m.machine_name, m.machine_type,
       m.manufacturer, m.criticality, m.ideal_cycle_time_s, m.install_date, m.is_active::int AS is_active,
       m.line_id::bigint AS line_id, l.line_code, l.line_name,
       m.factory_id::bigint AS factory_id, f.factory_code, f.factory_name
FROM machines m
LEFT JOIN production_lines l ON l.line_id = m.line_id
LEFT JOIN factories f ON f.factory_id = m.factory_id
