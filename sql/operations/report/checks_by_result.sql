-- Asset-check (data test) results of the report day, per result and severity.
SELECT validation_result, severity, COUNT(*) AS executions
FROM validation_rule_execution
WHERE execution_timestamp >= %(start)s AND execution_timestamp < %(end)s
GROUP BY validation_result, severity
ORDER BY validation_result, severity
