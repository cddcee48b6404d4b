-- Faults that started in the window (operations).
SELECT count(*) FROM machine_faults
WHERE fault_start >= %(start)s AND fault_start < %(end)s
