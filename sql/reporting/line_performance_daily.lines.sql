-- Factory of every production line (master database), a lookup joined on production_line_id.
SELECT line_id::bigint AS production_line_id, factory_id::bigint AS factory_id
FROM production_lines
