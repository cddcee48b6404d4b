-- Roles and grants of genims_audit_db, applied by `genims db init` (genims_platform/audit/security.py).
-- Sections run in order; {db} and {table} are identifiers from the platform's catalogue, and
-- "-- per chained table" sections run once for every table that carries a hash chain (every
-- audit table, including those added later). Login accounts and their passwords are created
-- from the settings, never written here.
--
-- Who may do what:
--   ingest role      SELECT + INSERT on audit tables (no UPDATE, DELETE, DROP, TRUNCATE), plus
--                    what its own state needs: the chain heads and cursors (SELECT, INSERT,
--                    UPDATE) and temporary staging tables.
--   compliance role  SELECT on everything (auditors, the compliance report).
--   retention role   SELECT on everything; DELETE on audit tables, which the append-only
--                    triggers let through only for rows past their retention period and not
--                    under legal hold, in a session that declared itself the retention job;
--                    INSERT on audit_trail_integrity (checkpoints before a purge), on
--                    data_retention_schedule and document_retention_log (what it planned,
--                    archived and purged) and SELECT, INSERT and UPDATE on the chain heads.
--   Nobody but the owner account (MYSQL_AUDIT_USER, which runs the migrations) has DROP or
--   ALTER, so TRUNCATE and schema changes stay with the administrators.

-- section: roles
CREATE ROLE IF NOT EXISTS genims_audit_ingest_role;
CREATE ROLE IF NOT EXISTS genims_audit_compliance_role;
CREATE ROLE IF NOT EXISTS genims_audit_retention_role;

-- section: database
GRANT SELECT ON {db}.* TO genims_audit_compliance_role;
GRANT SELECT ON {db}.* TO genims_audit_retention_role;
GRANT CREATE TEMPORARY TABLES ON {db}.* TO genims_audit_ingest_role;
GRANT SELECT, INSERT, UPDATE ON {db}.audit_chain_head TO genims_audit_ingest_role;
GRANT SELECT, INSERT, UPDATE ON {db}.audit_ingest_cursor TO genims_audit_ingest_role;
GRANT SELECT, INSERT ON {db}.audit_source_generation TO genims_audit_ingest_role;
GRANT SELECT ON {db}.audit_retention_policy TO genims_audit_ingest_role;
GRANT SELECT ON {db}.audit_legal_hold TO genims_audit_ingest_role;
GRANT SELECT ON {db}.schema_migrations TO genims_audit_ingest_role;
GRANT SELECT, INSERT ON {db}.etl_quarantine TO genims_audit_ingest_role;
GRANT SELECT, INSERT, UPDATE ON {db}.audit_chain_head TO genims_audit_retention_role;
GRANT INSERT ON {db}.audit_trail_integrity TO genims_audit_retention_role;
GRANT INSERT ON {db}.data_retention_schedule TO genims_audit_retention_role;
GRANT INSERT ON {db}.document_retention_log TO genims_audit_retention_role;

-- section: per chained table
GRANT SELECT, INSERT ON {db}.{table} TO genims_audit_ingest_role;
GRANT DELETE ON {db}.{table} TO genims_audit_retention_role;
