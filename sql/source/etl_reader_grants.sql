-- The ETL's read-only login on the source databases (PG_ETL_USER, default genims_readonly),
-- applied by `genims db init` (genims_platform/sources/reader.py) when PG_ETL_PASSWORD is set.
-- {role} and {database} are quoted identifiers; the password never appears here (the login is
-- given a SCRAM verifier computed on the client).
--
-- What the ETL reads, and nothing more:
--   * every table of the public schema (the source contract), also tables added later;
--   * the change-capture outbox (genims.outbox) and the horizon function the audit ingest
--     reads it with; outbox_purge stays with the installing role;
--   * no INSERT, UPDATE, DELETE, TRUNCATE or CREATE anywhere, and every session of the login
--     starts read-only (a default the session could change; the missing grants are the
--     boundary). What PUBLIC holds it holds too: keep PostgreSQL 15's default of no CREATE on
--     schema public for PUBLIC.
-- On a streaming replica the role and the grants arrive from the primary; point
-- PG_REPLICA_USER at the same login.

-- section: server
ALTER ROLE {role} SET default_transaction_read_only = on;

-- section: database
GRANT CONNECT ON DATABASE {database} TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
-- Tables the installing role creates later (a new version of the contract) are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role};
GRANT USAGE ON SCHEMA genims TO {role};
GRANT SELECT ON genims.outbox TO {role};
GRANT EXECUTE ON FUNCTION genims.outbox_horizon() TO {role};
