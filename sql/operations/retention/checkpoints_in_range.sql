-- Retention checkpoints stored in a seq range of an audit_trail_integrity stream that is about
-- to be purged, each with the highest checkpoint of the same purged stream stored elsewhere:
-- a checkpoint that is still the latest of its stream must be carried forward first.
SELECT c.verified_stream, c.audit_log_id, c.from_seq, c.head_hash_sha256,
       (SELECT MAX(o.audit_log_id)
        FROM audit_trail_integrity AS o
        WHERE o.verification_type = 'RETENTION_CHECKPOINT'
          AND o.verification_status = 'VALID'
          AND o.verified_stream = c.verified_stream
          AND NOT (o.stream_id = %(stream)s AND o.stream_seq BETWEEN %(first)s AND %(last)s))
         AS latest_elsewhere
FROM audit_trail_integrity AS c
WHERE c.stream_id = %(stream)s AND c.stream_seq BETWEEN %(first)s AND %(last)s
  AND c.verification_type = 'RETENTION_CHECKPOINT' AND c.verification_status = 'VALID'
ORDER BY c.stream_seq
