-- Change capture for one source database (see docs/change_capture.md).
--
-- Idempotent: genims_platform.sources.capture applies it in one transaction, under an advisory
-- lock, with genims.capture_maintenance = on, and then calls genims.enable_capture(...) once per
-- audited table. Only core PostgreSQL and PL/pgSQL are used: nothing here can be missing on a
-- server where the business tables work.
--
-- Error codes raised here (class "GC", unused by PostgreSQL):
--   GC001  change capture could not record a change; the statement is refused (fail closed)
--   GC002  a change to the capture machinery was refused (maintenance switch is off)
--   GC003  a table cannot be audited (no primary key)

CREATE SCHEMA IF NOT EXISTS genims;

-- One row per changed row; context columns come from DEFAULTs so every writer (row capture,
-- DDL capture, note_bulk_load) records them the same way.
CREATE TABLE IF NOT EXISTS genims.outbox (
    event_id     bigint GENERATED ALWAYS AS IDENTITY,
    txid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    tx_ts        timestamptz NOT NULL DEFAULT transaction_timestamp(),
    stmt_ts      timestamptz NOT NULL DEFAULT statement_timestamp(),
    captured_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    db_user      text NOT NULL DEFAULT session_user,
    app_name     text DEFAULT nullif(current_setting('application_name'), ''),
    client_addr  inet DEFAULT inet_client_addr(),
    actor        text DEFAULT nullif(current_setting('genims.actor', true), ''),
    schema_name  text NOT NULL,
    table_name   text NOT NULL,
    operation    text NOT NULL,
    pk           jsonb,
    old_row      jsonb,
    new_row      jsonb
);

-- Constraints are added here rather than in CREATE TABLE so that a repair restores one dropped
-- under maintenance (CREATE TABLE IF NOT EXISTS would not).
DO $do$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_constraint
                   WHERE conrelid = 'genims.outbox'::regclass AND conname = 'outbox_pkey') THEN
        ALTER TABLE genims.outbox ADD CONSTRAINT outbox_pkey PRIMARY KEY (event_id);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_constraint
                   WHERE conrelid = 'genims.outbox'::regclass
                     AND conname = 'outbox_operation_check') THEN
        ALTER TABLE genims.outbox ADD CONSTRAINT outbox_operation_check CHECK (
            operation IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'DDL', 'BULK_LOAD'));
    END IF;
END;
$do$;

-- The consumer reads committed events below the xid8 horizon in (txid, event_id) order.
CREATE INDEX IF NOT EXISTS outbox_txid_event_id_idx ON genims.outbox (txid, event_id);

COMMENT ON TABLE genims.outbox IS
    'GenIMS change capture: one row per changed row, TRUNCATE, DDL command or bulk load. '
    'Read rows with txid < genims.outbox_horizon() in (txid, event_id) order.';

CREATE OR REPLACE FUNCTION genims.capture_maintenance() RETURNS boolean
LANGUAGE sql STABLE
AS $fn$
    SELECT lower(coalesce(current_setting('genims.capture_maintenance', true), ''))
           IN ('on', 'true', 'yes', '1')
$fn$;

-- Primary-key values of a row image, for tables whose key has more than one column.
CREATE OR REPLACE FUNCTION genims.capture_pick(p_row jsonb, p_keys text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT
AS $fn$
    SELECT pg_catalog.jsonb_object_agg(k.key, p_row OPERATOR(pg_catalog.->) k.key)
    FROM pg_catalog.unnest(p_keys) AS k(key)
$fn$;

-- The generic capture trigger. Statement-level AFTER triggers with transition tables call it
-- once per statement; each writes one outbox row per changed row with one INSERT ... SELECT.
-- Trigger arguments are the primary-key columns (set by genims.enable_capture).
--
-- SECURITY DEFINER: writers need no privilege on the outbox and cannot forge rows in it;
-- session_user (recorded) is unaffected. The pinned search_path keeps callers from
-- substituting functions or operators.
--
-- No EXCEPTION block on purpose: each one would open a subtransaction with its own XID per
-- audited statement (64 of those overflow the backend's subxid cache and slow every snapshot
-- in the cluster). Any failure below still aborts the business statement; the guard gives
-- the states we can detect a clear GC001 error.
CREATE OR REPLACE FUNCTION genims.capture_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_rows bigint;
    v_jit text;
BEGIN
    -- Schema privilege first: to_regclass itself fails on a schema the owner may not use.
    IF NOT coalesce(has_schema_privilege(to_regnamespace('genims'), 'USAGE')
                    AND has_table_privilege(to_regclass('genims.outbox'), 'INSERT'), false) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'GC001',
            MESSAGE = format('change capture could not record %s on %I.%I: the outbox '
                             'genims.outbox is missing or not writable, so the change is refused',
                             TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME),
            HINT = 'Run `genims db init` to repair change capture on this database.';
    END IF;

    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO genims.outbox (schema_name, table_name, operation)
        VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, 'TRUNCATE');
        RETURN NULL;
    END IF;

    -- One changed row, the common case: the context columns come from the outbox DEFAULTs. The
    -- one-time filter (NOT EXISTS ... OFFSET 1) makes these cached plans write nothing for a
    -- statement that changed more rows; LIMIT 1 keeps their estimated cost tiny whatever the
    -- transition tables hold, so the planner never JIT-compiles them (90 ms per bulk statement).
    IF TG_OP = 'INSERT' THEN
        INSERT INTO genims.outbox (schema_name, table_name, operation, pk, new_row)
        SELECT TG_TABLE_SCHEMA, TG_TABLE_NAME, 'INSERT',
               CASE WHEN TG_NARGS = 1 THEN jsonb_build_object(TG_ARGV[0], s.j -> TG_ARGV[0])
                    ELSE genims.capture_pick(s.j, TG_ARGV) END,
               s.j
        FROM (SELECT to_jsonb(n) AS j FROM (SELECT * FROM new_rows LIMIT 1) AS n
              WHERE NOT EXISTS (SELECT FROM new_rows OFFSET 1) OFFSET 0) AS s;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO genims.outbox (schema_name, table_name, operation, pk, old_row, new_row)
        SELECT TG_TABLE_SCHEMA, TG_TABLE_NAME, 'UPDATE',
               CASE WHEN TG_NARGS = 1 THEN jsonb_build_object(TG_ARGV[0], s.nj -> TG_ARGV[0])
                    ELSE genims.capture_pick(s.nj, TG_ARGV) END,
               s.oj, s.nj
        FROM (SELECT to_jsonb(o) AS oj, to_jsonb(n) AS nj
              FROM (SELECT * FROM old_rows LIMIT 1) AS o
              CROSS JOIN (SELECT * FROM new_rows LIMIT 1) AS n
              WHERE NOT EXISTS (SELECT FROM old_rows OFFSET 1) OFFSET 0) AS s;
    ELSE
        INSERT INTO genims.outbox (schema_name, table_name, operation, pk, old_row)
        SELECT TG_TABLE_SCHEMA, TG_TABLE_NAME, 'DELETE',
               CASE WHEN TG_NARGS = 1 THEN jsonb_build_object(TG_ARGV[0], s.j -> TG_ARGV[0])
                    ELSE genims.capture_pick(s.j, TG_ARGV) END,
               s.j
        FROM (SELECT to_jsonb(o) AS j FROM (SELECT * FROM old_rows LIMIT 1) AS o
              WHERE NOT EXISTS (SELECT FROM old_rows OFFSET 1) OFFSET 0) AS s;
    END IF;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows > 0 THEN
        RETURN NULL;
    END IF;

    -- Several rows (or none). The context is computed once per statement (InitPlans) instead
    -- of once per row by the DEFAULTs: that is a tenth of the cost of a bulk UPDATE. JIT is off
    -- for these statements: compiling them costs more than it saves (to_jsonb dominates), and
    -- a plan cached after a bulk statement would make every later small one pay for it.
    v_jit := current_setting('jit');
    PERFORM set_config('jit', 'off', true);
    IF TG_OP = 'INSERT' THEN
        INSERT INTO genims.outbox (txid, tx_ts, stmt_ts, db_user, app_name, client_addr, actor,
                                   schema_name, table_name, operation, pk, new_row)
        SELECT (SELECT pg_current_xact_id()), (SELECT transaction_timestamp()),
               (SELECT statement_timestamp()), (SELECT session_user::text),
               (SELECT nullif(current_setting('application_name'), '')),
               (SELECT inet_client_addr()),
               (SELECT nullif(current_setting('genims.actor', true), '')),
               TG_TABLE_SCHEMA, TG_TABLE_NAME, 'INSERT',
               CASE WHEN TG_NARGS = 1 THEN jsonb_build_object(TG_ARGV[0], s.j -> TG_ARGV[0])
                    ELSE genims.capture_pick(s.j, TG_ARGV) END,
               s.j
        FROM (SELECT to_jsonb(n) AS j FROM new_rows AS n OFFSET 0) AS s;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO genims.outbox (txid, tx_ts, stmt_ts, db_user, app_name, client_addr, actor,
                                   schema_name, table_name, operation, pk, old_row)
        SELECT (SELECT pg_current_xact_id()), (SELECT transaction_timestamp()),
               (SELECT statement_timestamp()), (SELECT session_user::text),
               (SELECT nullif(current_setting('application_name'), '')),
               (SELECT inet_client_addr()),
               (SELECT nullif(current_setting('genims.actor', true), '')),
               TG_TABLE_SCHEMA, TG_TABLE_NAME, 'DELETE',
               CASE WHEN TG_NARGS = 1 THEN jsonb_build_object(TG_ARGV[0], s.j -> TG_ARGV[0])
                    ELSE genims.capture_pick(s.j, TG_ARGV) END,
               s.j
        FROM (SELECT to_jsonb(o) AS j FROM old_rows AS o OFFSET 0) AS s;
    ELSIF EXISTS (SELECT FROM old_rows) THEN
        -- Pair old and new images by ordinal. PostgreSQL appends the old and the new image of
        -- each updated row to the two transition tables in the same call, so the i-th old row
        -- belongs to the i-th new row, even when the key changed. Dynamic SQL on purpose: it is
        -- planned with the real row counts every time. A cached static join, planned once for
        -- one row, becomes a nested loop that turns a 20,000-row UPDATE into minutes.
        EXECUTE $sql$
            INSERT INTO genims.outbox (txid, tx_ts, stmt_ts, db_user, app_name, client_addr,
                                       actor, schema_name, table_name, operation, pk, old_row,
                                       new_row)
            SELECT (SELECT pg_current_xact_id()), (SELECT transaction_timestamp()),
                   (SELECT statement_timestamp()), (SELECT session_user::text),
                   (SELECT nullif(current_setting('application_name'), '')),
                   (SELECT inet_client_addr()),
                   (SELECT nullif(current_setting('genims.actor', true), '')),
                   $1, $2, 'UPDATE',
                   CASE WHEN $3 = 1 THEN jsonb_build_object($4, s.nj -> $4)
                        ELSE genims.capture_pick(s.nj, $5) END,
                   s.oj, s.nj
            FROM (SELECT to_jsonb(o.r) AS oj, to_jsonb(n.r) AS nj
                  FROM (SELECT row_number() OVER () AS rn, o AS r FROM old_rows AS o) AS o
                  JOIN (SELECT row_number() OVER () AS rn, n AS r FROM new_rows AS n) AS n
                    ON n.rn = o.rn
                  OFFSET 0) AS s
        $sql$ USING TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_NARGS, TG_ARGV[0], TG_ARGV;
    END IF;
    PERFORM set_config('jit', v_jit, true);
    RETURN NULL;
END;
$fn$;

-- The simulator's initial load bypasses row capture (session_replication_role = replica) and
-- calls this once per table so the audit trail shows the load honestly.
CREATE OR REPLACE FUNCTION genims.note_bulk_load(p_table text, p_rows bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_parts text[] := parse_ident(p_table);
    v_schema text;
    v_table text;
    v_event_id bigint;
BEGIN
    IF p_rows IS NULL OR p_rows < 0 THEN
        RAISE EXCEPTION 'note_bulk_load: row count must be >= 0, got %', p_rows
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF cardinality(v_parts) = 1 THEN
        v_parts := ARRAY['public', v_parts[1]];
    END IF;
    SELECT n.nspname, c.relname INTO v_schema, v_table
    FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = v_parts[1] AND c.relname = v_parts[2] AND c.relkind IN ('r', 'p');
    IF v_table IS NULL THEN
        RAISE EXCEPTION 'note_bulk_load: table % does not exist', p_table
            USING ERRCODE = 'undefined_table';
    END IF;
    IF to_regclass('genims.outbox') IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'GC001',
            MESSAGE = format('change capture could not record BULK_LOAD on %I.%I: the outbox '
                             'genims.outbox is missing', v_schema, v_table),
            HINT = 'Run `genims db init` to repair change capture on this database.';
    END IF;
    INSERT INTO genims.outbox (schema_name, table_name, operation, new_row)
    VALUES (v_schema, v_table, 'BULK_LOAD', jsonb_build_object('rows', p_rows))
    RETURNING event_id INTO v_event_id;
    RETURN v_event_id;
END;
$fn$;

-- Every transaction with a txid below this has committed or aborted: rows below it are final.
CREATE OR REPLACE FUNCTION genims.outbox_horizon() RETURNS xid8
LANGUAGE sql VOLATILE
AS $fn$
    SELECT pg_snapshot_xmin(pg_current_snapshot())
$fn$;

-- Changed columns are derived when reading, not when writing: diffing in the trigger would
-- cost more than the rest of the capture (see docs/change_capture.md).
CREATE OR REPLACE FUNCTION genims.outbox_changed_columns(p_old jsonb, p_new jsonb)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT coalesce(array_agg(k ORDER BY k), '{}')
    FROM (SELECT coalesce(n.key, o.key) AS k
          FROM jsonb_each(p_new) AS n
          FULL JOIN jsonb_each(p_old) AS o ON o.key = n.key
          WHERE n.value IS DISTINCT FROM o.value) AS d
$fn$;

CREATE OR REPLACE VIEW genims.outbox_events AS
SELECT o.event_id, o.txid, o.tx_ts, o.stmt_ts, o.captured_at, o.db_user, o.app_name,
       o.client_addr, o.actor, o.schema_name, o.table_name, o.operation, o.pk, o.old_row,
       o.new_row,
       CASE WHEN o.operation = 'UPDATE'
            THEN genims.outbox_changed_columns(o.old_row, o.new_row) END AS changed_columns
FROM genims.outbox AS o;

-- Deletes delivered events (at or before the consumer's committed cursor and below the
-- horizon); the only way to delete from the outbox without the maintenance switch.
CREATE OR REPLACE FUNCTION genims.outbox_purge(p_last_txid xid8, p_last_event_id bigint)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_previous text := current_setting('genims.capture_maintenance', true);
    v_deleted bigint;
BEGIN
    PERFORM set_config('genims.capture_maintenance', 'on', true);
    DELETE FROM genims.outbox
    WHERE (txid, event_id) <= (p_last_txid, p_last_event_id)
      AND txid < genims.outbox_horizon();
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    PERFORM set_config('genims.capture_maintenance', coalesce(v_previous, ''), true);
    RETURN v_deleted;
END;
$fn$;
-- Only the installing role (and whom it grants) may purge: anyone else could erase events that
-- were never delivered.
REVOKE EXECUTE ON FUNCTION genims.outbox_purge(xid8, bigint) FROM PUBLIC;

-- The outbox is append-only for everyone but maintenance. ENABLE ALWAYS below keeps this guard
-- active under session_replication_role = replica too.
CREATE OR REPLACE FUNCTION genims.capture_outbox_guard() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF NOT genims.capture_maintenance() THEN
        RAISE EXCEPTION USING
            ERRCODE = 'GC002',
            MESSAGE = format('%s on genims.outbox refused: the change-capture outbox is '
                             'append-only', TG_OP),
            HINT = 'Delete delivered events with genims.outbox_purge(); for deliberate '
                   'maintenance SET genims.capture_maintenance = on.';
    END IF;
    RETURN NULL;
END;
$fn$;

DO $do$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_trigger
                   WHERE tgrelid = 'genims.outbox'::regclass
                     AND tgname = 'genims_capture_outbox_guard') THEN
        CREATE TRIGGER genims_capture_outbox_guard
            BEFORE UPDATE OR DELETE OR TRUNCATE ON genims.outbox
            FOR EACH STATEMENT EXECUTE FUNCTION genims.capture_outbox_guard();
    END IF;
    IF EXISTS (SELECT FROM pg_trigger
               WHERE tgrelid = 'genims.outbox'::regclass
                 AND tgname = 'genims_capture_outbox_guard' AND tgenabled <> 'A') THEN
        ALTER TABLE genims.outbox ENABLE ALWAYS TRIGGER genims_capture_outbox_guard;
    END IF;
END;
$do$;

-- Installs (or brings up to date) the four capture triggers of one table. Returns true when
-- something changed. Identifiers come from the catalogue only. p_reenable = false leaves a
-- trigger disabled by deliberate maintenance as it is (used when re-syncing after ALTER TABLE).
CREATE OR REPLACE FUNCTION genims.enable_capture(p_table regclass, p_reenable boolean DEFAULT true)
RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_previous text := current_setting('genims.capture_maintenance', true);
    v_qualified text;
    v_pk text[];
    v_args text;
    v_changed boolean := false;
    v_def text;
    v_enabled "char";
    d record;
BEGIN
    SELECT format('%I.%I', n.nspname, c.relname) INTO v_qualified
    FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.oid = p_table;
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO v_pk
    FROM pg_index AS i
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
    WHERE i.indrelid = p_table AND i.indisprimary;
    IF v_pk IS NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'GC003',
            MESSAGE = format('table %s cannot be audited: it has no primary key', v_qualified),
            HINT = 'Change capture identifies rows by their primary key; add one first.';
    END IF;
    v_args := array_to_string(ARRAY(SELECT quote_literal(c) FROM unnest(v_pk) AS c), ', ');

    -- Creating capture triggers is protected DDL; this function is the sanctioned way.
    PERFORM set_config('genims.capture_maintenance', 'on', true);
    FOR d IN
        SELECT t.name, format(t.ddl, t.name, v_qualified, v_args) AS ddl
        FROM (VALUES
            ('genims_capture_ins', 'CREATE TRIGGER %s AFTER INSERT ON %s REFERENCING NEW TABLE '
                'AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION genims.capture_change(%s)'),
            ('genims_capture_upd', 'CREATE TRIGGER %s AFTER UPDATE ON %s REFERENCING OLD TABLE '
                'AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION '
                'genims.capture_change(%s)'),
            ('genims_capture_del', 'CREATE TRIGGER %s AFTER DELETE ON %s REFERENCING OLD TABLE '
                'AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION genims.capture_change(%s)'),
            ('genims_capture_trunc', 'CREATE TRIGGER %s AFTER TRUNCATE ON %s FOR EACH STATEMENT '
                'EXECUTE FUNCTION genims.capture_change(%s)')
        ) AS t(name, ddl)
    LOOP
        v_def := NULL;
        SELECT pg_get_triggerdef(tg.oid), tg.tgenabled INTO v_def, v_enabled
        FROM pg_trigger AS tg WHERE tg.tgrelid = p_table AND tg.tgname = d.name;
        IF v_def IS DISTINCT FROM d.ddl THEN
            IF v_def IS NOT NULL THEN
                EXECUTE format('DROP TRIGGER %I ON %s', d.name, v_qualified);
            END IF;
            EXECUTE d.ddl;
            v_changed := true;
        ELSIF v_enabled <> 'O' AND p_reenable THEN
            -- 'O' fires in normal sessions and stays silent under session_replication_role =
            -- replica, the documented bulk-load bypass.
            EXECUTE format('ALTER TABLE %s ENABLE TRIGGER %I', v_qualified, d.name);
            v_changed := true;
        END IF;
    END LOOP;
    PERFORM set_config('genims.capture_maintenance', coalesce(v_previous, ''), true);
    RETURN v_changed;
END;
$fn$;

-- Removes capture from one table; a deliberate maintenance step.
CREATE OR REPLACE FUNCTION genims.disable_capture(p_table regclass) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_changed boolean := false;
    t record;
BEGIN
    IF NOT genims.capture_maintenance() THEN
        RAISE EXCEPTION USING
            ERRCODE = 'GC002',
            MESSAGE = format('removing change capture from %s refused', p_table),
            HINT = 'SET genims.capture_maintenance = on for a deliberate maintenance change.';
    END IF;
    FOR t IN
        SELECT tg.tgname, format('%I.%I', n.nspname, c.relname) AS qualified
        FROM pg_trigger AS tg
        JOIN pg_class AS c ON c.oid = tg.tgrelid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE tg.tgrelid = p_table AND tg.tgfoid = 'genims.capture_change()'::regprocedure
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', t.tgname, t.qualified);
        v_changed := true;
    END LOOP;
    RETURN v_changed;
END;
$fn$;

-- Whether a catalogue object is part of the capture machinery: the genims schema itself, the
-- outbox and everything on it, the capture functions, and capture triggers on audited tables.
CREATE OR REPLACE FUNCTION genims.capture_is_protected(p_classid oid, p_objid oid)
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT CASE p_classid
        WHEN 'pg_namespace'::regclass THEN
            p_objid = 'genims'::regnamespace
        WHEN 'pg_class'::regclass THEN EXISTS (
            SELECT FROM pg_class AS c
            WHERE c.oid = p_objid AND c.relnamespace = 'genims'::regnamespace
              AND (c.relname LIKE 'outbox%'
                   OR c.oid IN (SELECT indexrelid FROM pg_index
                                WHERE indrelid = to_regclass('genims.outbox'))))
        WHEN 'pg_proc'::regclass THEN EXISTS (
            SELECT FROM pg_proc AS p
            WHERE p.oid = p_objid
              AND ((p.pronamespace = 'genims'::regnamespace
                    AND (p.proname LIKE 'capture%' OR p.proname LIKE 'outbox%'
                         OR p.proname IN ('note_bulk_load', 'enable_capture', 'disable_capture')))
                   OR (p.pronamespace = 'public'::regnamespace
                       AND p.proname = 'genims_capture_drop_guard')))
        WHEN 'pg_trigger'::regclass THEN EXISTS (
            SELECT FROM pg_trigger AS t
            WHERE t.oid = p_objid
              AND (t.tgfoid = to_regprocedure('genims.capture_change()')
                   OR t.tgrelid = to_regclass('genims.outbox')))
        ELSE false
    END
$fn$;

-- ddl_command_end: refuses changes to the capture machinery (and capture triggers left
-- disabled) unless the maintenance switch is on, then records every command in the outbox.
CREATE OR REPLACE FUNCTION genims.capture_ddl() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_maintenance boolean := genims.capture_maintenance();
    v_outbox boolean := to_regclass('genims.outbox') IS NOT NULL;
    v_capture regprocedure := to_regprocedure('genims.capture_change()');
    v_names text[];
    r record;
BEGIN
    FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        CONTINUE WHEN r.schema_name LIKE 'pg\_temp%';
        IF NOT v_maintenance THEN
            IF genims.capture_is_protected(r.classid, r.objid) THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'GC002',
                    MESSAGE = format('%s on %s refused: it is part of GenIMS change capture',
                                     r.command_tag, r.object_identity),
                    HINT = 'SET genims.capture_maintenance = on for a deliberate maintenance '
                           'change (it is recorded), or run `genims db init` to repair.';
            END IF;
            IF r.classid = 'pg_class'::regclass AND EXISTS (
                    SELECT FROM pg_trigger AS t
                    WHERE t.tgrelid = r.objid AND t.tgfoid = v_capture AND t.tgenabled <> 'O') THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'GC002',
                    MESSAGE = format('%s on %s refused: it would disable change capture on an '
                                     'audited table', r.command_tag, r.object_identity),
                    HINT = 'SET genims.capture_maintenance = on for a deliberate maintenance '
                           'change (it is recorded).';
            END IF;
        END IF;
        -- An audited table whose key columns changed gets its triggers' key list refreshed.
        IF r.classid = 'pg_class'::regclass AND r.command_tag = 'ALTER TABLE'
           AND EXISTS (SELECT FROM pg_trigger AS t
                       WHERE t.tgrelid = r.objid AND t.tgfoid = v_capture)
           AND EXISTS (SELECT FROM pg_index AS i WHERE i.indrelid = r.objid AND i.indisprimary)
        THEN
            PERFORM genims.enable_capture(r.objid::regclass, false);
        END IF;
        IF NOT v_outbox THEN
            -- Maintenance may run without an outbox (e.g. while the installer recreates it).
            CONTINUE WHEN v_maintenance;
            RAISE EXCEPTION USING
                ERRCODE = 'GC001',
                MESSAGE = format('change capture could not record %s on %s: the outbox '
                                 'genims.outbox is missing, so the change is refused',
                                 r.command_tag, r.object_identity),
                HINT = 'Run `genims db init` to repair change capture on this database.';
        END IF;
        -- Schema and table of the object, or of the table a trigger/column belongs to.
        SELECT a.object_names INTO v_names
        FROM pg_identify_object_as_address(r.classid, r.objid, r.objsubid) AS a;
        INSERT INTO genims.outbox (schema_name, table_name, operation, new_row)
        VALUES (coalesce(CASE WHEN cardinality(v_names) >= 2 THEN v_names[1] END,
                         r.schema_name, ''),
                coalesce(CASE WHEN cardinality(v_names) >= 2 THEN v_names[2] END,
                         r.object_identity, ''),
                'DDL',
                jsonb_build_object('command_tag', r.command_tag,
                                   'object_type', r.object_type,
                                   'object_identity', r.object_identity,
                                   'in_extension', r.in_extension));
    END LOOP;
END;
$fn$;

-- sql_drop, part 1 (its event trigger sorts, and so fires, before part 2): refuses dropping the capture machinery unless the maintenance switch is on.
-- It lives in public, not genims, so that DROP SCHEMA genims CASCADE (which takes genims'
-- own event-trigger functions, and with them their triggers) is still refused; and it needs
-- nothing from genims, which may be half gone when it runs. Capture triggers dropped together
-- with their table are not refused.
CREATE OR REPLACE FUNCTION public.genims_capture_drop_guard() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    r record;
BEGIN
    IF lower(coalesce(current_setting('genims.capture_maintenance', true), ''))
       IN ('on', 'true', 'yes', '1') THEN
        RETURN;
    END IF;
    FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
        CONTINUE WHEN r.is_temporary;
        IF (r.object_type = 'schema' AND r.object_identity = 'genims')
           OR (r.object_type = 'trigger' AND r.original
               AND r.object_identity LIKE 'genims\_capture\_%')
           OR (r.object_type NOT IN ('schema', 'trigger')
               AND (r.object_identity LIKE 'genims.outbox%'
                    OR r.object_identity LIKE 'genims.capture%'
                    OR r.object_identity LIKE 'genims.note\_bulk\_load(%'
                    OR r.object_identity LIKE 'genims.enable\_capture(%'
                    OR r.object_identity LIKE 'genims.disable\_capture(%'
                    OR r.object_identity LIKE 'public.genims\_capture\_drop\_guard(%'))
        THEN
            RAISE EXCEPTION USING
                ERRCODE = 'GC002',
                MESSAGE = format('%s of %s refused: it is part of GenIMS change capture',
                                 tg_tag, r.object_identity),
                HINT = 'SET genims.capture_maintenance = on for a deliberate maintenance '
                       'change (it is recorded), or run `genims db init` to repair.';
        END IF;
    END LOOP;
END;
$fn$;

-- sql_drop, part 2: DROP commands are not reported to ddl_command_end, so they are recorded
-- here. It also refuses dropping part 1, which cannot refuse its own removal.
CREATE OR REPLACE FUNCTION genims.capture_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    v_maintenance boolean := genims.capture_maintenance();
    v_outbox boolean := to_regclass('genims.outbox') IS NOT NULL;
    r record;
BEGIN
    FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
        CONTINUE WHEN r.is_temporary;
        IF NOT v_maintenance
           AND r.object_identity LIKE 'public.genims\_capture\_drop\_guard(%' THEN
            RAISE EXCEPTION USING
                ERRCODE = 'GC002',
                MESSAGE = format('%s of %s refused: it is part of GenIMS change capture',
                                 tg_tag, r.object_identity),
                HINT = 'SET genims.capture_maintenance = on for a deliberate maintenance '
                       'change (it is recorded), or run `genims db init` to repair.';
        END IF;
        CONTINUE WHEN NOT r.original;
        IF NOT v_outbox THEN
            CONTINUE WHEN v_maintenance;
            RAISE EXCEPTION USING
                ERRCODE = 'GC001',
                MESSAGE = format('change capture could not record %s of %s: the outbox '
                                 'genims.outbox is missing, so the change is refused',
                                 tg_tag, r.object_identity),
                HINT = 'Run `genims db init` to repair change capture on this database.';
        END IF;
        INSERT INTO genims.outbox (schema_name, table_name, operation, new_row)
        VALUES (coalesce(CASE WHEN cardinality(r.address_names) >= 2
                              THEN r.address_names[1] END, r.schema_name, ''),
                coalesce(CASE WHEN cardinality(r.address_names) >= 2
                              THEN r.address_names[2] END, r.object_identity, ''),
                'DDL',
                jsonb_build_object('command_tag', tg_tag,
                                   'object_type', r.object_type,
                                   'object_identity', r.object_identity,
                                   'in_extension', false));
    END LOOP;
END;
$fn$;

-- Event triggers need a superuser. Without one (some managed services) row capture still
-- works; genims_platform reports DDL capture as unavailable.
DO $do$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'genims_capture_ddl') THEN
        CREATE EVENT TRIGGER genims_capture_ddl ON ddl_command_end
            EXECUTE FUNCTION genims.capture_ddl();
    END IF;
    IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'genims_capture_drop_record') THEN
        CREATE EVENT TRIGGER genims_capture_drop_record ON sql_drop
            EXECUTE FUNCTION genims.capture_drop();
    END IF;
    IF NOT EXISTS (SELECT FROM pg_event_trigger
                   WHERE evtname = 'genims_capture_drop_guard') THEN
        CREATE EVENT TRIGGER genims_capture_drop_guard ON sql_drop
            EXECUTE FUNCTION public.genims_capture_drop_guard();
    END IF;
    IF EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'genims_capture_ddl'
               AND evtenabled <> 'O') THEN
        ALTER EVENT TRIGGER genims_capture_ddl ENABLE;
    END IF;
    IF EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'genims_capture_drop_record'
               AND evtenabled <> 'O') THEN
        ALTER EVENT TRIGGER genims_capture_drop_record ENABLE;
    END IF;
    IF EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'genims_capture_drop_guard'
               AND evtenabled <> 'O') THEN
        ALTER EVENT TRIGGER genims_capture_drop_guard ENABLE;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'DDL capture not installed: creating event triggers needs a superuser';
END;
$do$;
