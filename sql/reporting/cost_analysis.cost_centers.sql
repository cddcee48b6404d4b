-- Factory of each cost centre (master database), a lookup joined on cost_center_id.
SELECT cost_center_id::bigint AS cost_center_id, factory_id::bigint AS factory_id
FROM cost_centers
