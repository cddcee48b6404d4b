-- Units received in the window (erp).
SELECT coalesce(sum(quantity_received), 0)
FROM goods_receipts
WHERE received_at >= %(start)s AND received_at < %(end)s
