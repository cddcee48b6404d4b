-- Failed asset checks of the report day, most recent first; the report lists only the first
-- few (the counts of checks_by_result.sql cover all of them).
SELECT execution_timestamp, rule_name, entity_type, partition_key, severity, records_failed,
       failure_reason, run_id
FROM validation_rule_execution
WHERE execution_timestamp >= %(start)s AND execution_timestamp < %(end)s
  AND validation_result = 'FAILED'
ORDER BY execution_timestamp DESC, stream_id, stream_seq DESC
LIMIT %(limit)s
