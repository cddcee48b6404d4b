-- Stock on hand at the end of each day of the window, summed over the days (wms), computed
-- straight from the movements: each movement counts once for every window day on or after its
-- own UTC day (movements before the window count for every day of it).
SELECT coalesce(sum(quantity * (%(end)s::date
                                - greatest((tx_ts AT TIME ZONE 'UTC')::date, %(start)s::date))), 0)
FROM inventory_transactions
WHERE tx_ts < %(end)s
