-- genims_master_db: the reference data every other module points at.

CREATE TABLE IF NOT EXISTS factories (
    factory_id      bigint PRIMARY KEY,
    factory_code    text NOT NULL UNIQUE,
    factory_name    text NOT NULL,
    country         text NOT NULL,
    region          text NOT NULL,
    city            text NOT NULL,
    timezone        text NOT NULL DEFAULT 'UTC',
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS production_lines (
    line_id                         bigint PRIMARY KEY,
    factory_id                      bigint NOT NULL REFERENCES factories,
    line_code                       text NOT NULL UNIQUE,
    line_name                       text NOT NULL,
    line_type                       text NOT NULL,
    design_capacity_units_per_hour  numeric(12,2) NOT NULL CHECK (design_capacity_units_per_hour > 0),
    is_active                       boolean NOT NULL DEFAULT true,
    updated_at                      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS machines (
    machine_id          bigint PRIMARY KEY,
    line_id             bigint NOT NULL REFERENCES production_lines,
    factory_id          bigint NOT NULL REFERENCES factories,
    machine_code        text NOT NULL UNIQUE,
    machine_name        text NOT NULL,
    machine_type        text NOT NULL,
    manufacturer        text,
    ideal_cycle_time_s  numeric(10,3) NOT NULL CHECK (ideal_cycle_time_s > 0),
    install_date        date,
    criticality         text NOT NULL DEFAULT 'MEDIUM',
    is_active           boolean NOT NULL DEFAULT true,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS machines_line_idx ON machines (line_id);

CREATE TABLE IF NOT EXISTS products (
    product_id        bigint PRIMARY KEY,
    sku               text NOT NULL UNIQUE,
    product_name      text NOT NULL,
    category          text NOT NULL,
    product_family    text NOT NULL,
    unit_of_measure   text NOT NULL DEFAULT 'EA',
    list_price        numeric(14,4) NOT NULL CHECK (list_price >= 0),
    standard_cost     numeric(14,4) NOT NULL CHECK (standard_cost >= 0),
    lifecycle_status  text NOT NULL DEFAULT 'ACTIVE',
    launch_date       date,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS materials (
    material_id       bigint PRIMARY KEY,
    material_code     text NOT NULL UNIQUE,
    material_name     text NOT NULL,
    material_type     text NOT NULL,
    unit_of_measure   text NOT NULL,
    standard_cost     numeric(14,4) NOT NULL CHECK (standard_cost >= 0),
    lead_time_days    integer NOT NULL DEFAULT 14,
    shelf_life_days   integer,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS customers (
    customer_id         bigint PRIMARY KEY,
    customer_code       text NOT NULL UNIQUE,
    customer_name       text NOT NULL,
    customer_type       text NOT NULL,
    industry            text NOT NULL,
    country             text NOT NULL,
    region              text NOT NULL,
    city                text NOT NULL,
    credit_limit        numeric(14,2) NOT NULL DEFAULT 0,
    payment_terms_days  integer NOT NULL DEFAULT 30,
    email               text,
    phone               text,
    is_active           boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS suppliers (
    supplier_id         bigint PRIMARY KEY,
    supplier_code       text NOT NULL UNIQUE,
    supplier_name       text NOT NULL,
    supplier_category   text NOT NULL,
    country             text NOT NULL,
    region              text NOT NULL,
    city                text NOT NULL,
    payment_terms_days  integer NOT NULL DEFAULT 45,
    email               text,
    is_active           boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS warehouses (
    warehouse_id    bigint PRIMARY KEY,
    factory_id      bigint REFERENCES factories,
    warehouse_code  text NOT NULL UNIQUE,
    warehouse_name  text NOT NULL,
    warehouse_type  text NOT NULL,
    country         text NOT NULL,
    city            text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS cost_centers (
    cost_center_id    bigint PRIMARY KEY,
    cost_center_code  text NOT NULL UNIQUE,
    cost_center_name  text NOT NULL,
    cost_center_type  text NOT NULL,
    factory_id        bigint REFERENCES factories,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS app_users (
    user_id       bigint PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    email         text NOT NULL,
    employee_id   bigint,
    role          text NOT NULL,
    mfa_enabled   boolean NOT NULL DEFAULT false,
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Insert-only; `event_ts` is the change marker.
CREATE TABLE IF NOT EXISTS user_login_events (
    login_event_id  bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id         bigint REFERENCES app_users,
    username        text NOT NULL,
    event_ts        timestamptz NOT NULL,
    event_type      text NOT NULL CHECK (event_type IN ('LOGIN', 'LOGOUT', 'LOGIN_FAILED')),
    success         boolean NOT NULL,
    failure_reason  text,
    ip_address      inet,
    user_agent      text,
    application     text NOT NULL
);
CREATE INDEX IF NOT EXISTS user_login_events_ts_idx ON user_login_events (event_ts);
