-- Net signed quantity of all inventory movements in the window (wms).
SELECT coalesce(sum(quantity), 0)
FROM inventory_transactions
WHERE tx_ts >= %(start)s AND tx_ts < %(end)s
