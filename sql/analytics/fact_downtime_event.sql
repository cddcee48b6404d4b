-- Machine faults that started in the window (operations database), on their start day (UTC).
SELECT (fault_start AT TIME ZONE 'UTC')::date                          AS date,
       fault_id::bigint                                                AS fault_id,
       machine_id::bigint                                              AS machine_id,
       fault_code,
       fault_category,
       severity,
       fault_start,
       fault_end,
       (fault_end AT TIME ZONE 'UTC')::date                            AS end_date,
       extract(epoch FROM fault_end - fault_start) / 60.0              AS duration_minutes,
       (fault_end IS NULL)::int                                        AS is_open
FROM machine_faults
WHERE fault_start >= %(start)s AND fault_start < %(end)s
