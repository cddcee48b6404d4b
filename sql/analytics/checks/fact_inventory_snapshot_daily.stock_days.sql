-- End-of-day stock summed over the days of the window, straight from the movements (wms): each
-- movement counts once for every window day on or after its own UTC day.
SELECT coalesce(sum(quantity * (%(end)s::date
                                - greatest((tx_ts AT TIME ZONE 'UTC')::date, %(start)s::date))), 0)
FROM inventory_transactions
WHERE tx_ts < %(end)s
