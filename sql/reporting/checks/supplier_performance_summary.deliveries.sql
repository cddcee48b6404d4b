-- Goods receipts in the window (erp).
SELECT count(*)
FROM goods_receipts
WHERE received_at >= %(start)s AND received_at < %(end)s
