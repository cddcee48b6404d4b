-- Tickets resolved in the window (service).
SELECT count(*) FROM service_tickets WHERE resolved_at >= %(start)s AND resolved_at < %(end)s
