-- Planned and unplanned downtime inside the window, clipped once to the whole window instead
-- of to each day (an open interval runs until now).
SELECT coalesce(sum(extract(epoch FROM
           least(coalesce(ended_at, now()), %(end)s::timestamptz)
           - greatest(started_at, %(start)s::timestamptz))) / 60.0, 0)
FROM equipment_status_changes
WHERE status IN ('DOWN', 'PLANNED_DOWNTIME')
  AND started_at < %(end)s
  AND coalesce(ended_at, now()) > %(start)s
