-- Freight cost of the shipments delivered in the window (tms).
SELECT coalesce(sum(freight_cost), 0)
FROM shipments
WHERE delivered_at >= %(start)s AND delivered_at < %(end)s
