-- Shipments delivered in the window (tms).
SELECT count(*) FROM shipments WHERE delivered_at >= %(start)s AND delivered_at < %(end)s
