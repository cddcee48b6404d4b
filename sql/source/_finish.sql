-- Applied to every source database after its own contract file.
-- Every table with an `updated_at` change marker gets an index on it (observation reads only
-- max(updated_at), never the table) and a trigger that keeps it current on UPDATE.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.relname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'updated_at' AND NOT a.attisdropped
        WHERE n.nspname = 'public' AND c.relkind = 'r'
    LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON public.%I (updated_at)',
                       t.relname || '_updated_at_idx', t.relname);
        IF NOT EXISTS (
            SELECT 1 FROM pg_trigger
            WHERE tgrelid = format('public.%I', t.relname)::regclass
              AND tgname = 'genims_touch_updated_at'
        ) THEN
            EXECUTE format(
                'CREATE TRIGGER genims_touch_updated_at BEFORE UPDATE ON public.%I '
                'FOR EACH ROW EXECUTE FUNCTION public.genims_touch_updated_at()', t.relname);
        END IF;
    END LOOP;
END;
$$;
