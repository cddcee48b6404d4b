-- Line and factory of every machine (master database), a lookup joined on machine_id.
SELECT machine_id::bigint AS machine_id,
       line_id::bigint    AS production_line_id,
       factory_id::bigint AS factory_id
FROM machines
