-- Code of every cost centre (master database), joined on cost_center_id.
SELECT cost_center_id::bigint AS cost_center_id, cost_center_code AS cost_center
FROM cost_centers
