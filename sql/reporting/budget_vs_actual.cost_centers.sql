-- Names of the cost centres (master database), a lookup joined on cost_center_id.
SELECT cost_center_id::bigint AS cost_center_id, cost_center_name
FROM cost_centers
