-- Append-only enforcement of one audit table ({table}); installed on every table that carries a
-- hash chain by `genims db init` (genims_platform/audit/security.py). MySQL triggers do not fire
-- on TRUNCATE or DROP: those need privileges that only the owner account has (grants.sql).
--
-- UPDATE: always refused.
-- DELETE: refused unless all of these hold (the retention job's purge):
--   * the session declared itself the retention job: SET @genims_retention_purge = 'on'
--     (only the retention role and the owner hold DELETE at all, so this guards against
--     accidents, while privileges guard against everyone else);
--   * the row is older than its retention period (audit_retention_policy: the table's row,
--     else the '*' row; no row means nothing may be purged);
--   * no active legal hold (audit_legal_hold, released_at IS NULL) covers the row's table,
--     stream and creation time.

-- section: update
CREATE TRIGGER {update_trigger} BEFORE UPDATE ON {table} FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message_update}';

-- section: delete
CREATE TRIGGER {delete_trigger} BEFORE DELETE ON {table} FOR EACH ROW
BEGIN
    DECLARE v_days INT DEFAULT NULL;
    IF COALESCE(@genims_retention_purge, '') <> 'on' THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message_delete}';
    END IF;
    SET v_days = (SELECT p.retention_days FROM audit_retention_policy AS p
                  WHERE p.table_name IN ('{table_name}', '*')
                  ORDER BY p.table_name = '*' LIMIT 1);
    IF v_days IS NULL OR OLD.created_at >= UTC_TIMESTAMP(6) - INTERVAL v_days DAY THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message_retention}';
    END IF;
    IF EXISTS (SELECT 1 FROM audit_legal_hold AS h
               WHERE h.released_at IS NULL
                 AND (h.table_name IS NULL OR h.table_name = '{table_name}')
                 AND (h.stream_id IS NULL OR h.stream_id = OLD.stream_id)
                 AND (h.covers_from IS NULL OR OLD.created_at >= h.covers_from)
                 AND (h.covers_to IS NULL OR OLD.created_at <= h.covers_to)) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message_hold}';
    END IF;
END;
