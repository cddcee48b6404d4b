-- Line and factory of every machine (master database): facts recorded against a machine only
-- (faults, sensor readings, maintenance) get their line and factory from here.
SELECT machine_id::bigint AS machine_id, line_id::bigint AS line_id,
       factory_id::bigint AS factory_id
FROM machines
