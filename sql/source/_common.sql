-- Applied to every source database before its own contract file.
-- Keeps `updated_at` a trustworthy change marker even when a writer forgets to set it.
CREATE OR REPLACE FUNCTION public.genims_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END;
$$;

-- Configuration of the module itself; audited in every database.
CREATE TABLE IF NOT EXISTS module_settings (
    setting_key    text PRIMARY KEY,
    setting_value  text NOT NULL,
    description    text,
    updated_by     text,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS module_settings_updated_at_idx ON module_settings (updated_at);
