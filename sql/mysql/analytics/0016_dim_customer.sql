-- Customers as they were over time (type 2): segment and lifecycle from CRM, classification,
-- geography and terms from master data. Contact details (personal data) stay out of the
-- warehouse.
CREATE TABLE IF NOT EXISTS dim_customer (
    customer_key            BIGINT        NOT NULL COMMENT 'Surrogate key of one version; facts join on it (fact.customer_key = dim_customer.customer_key, the version valid on the fact''s date); 0 = unknown member',
    customer_id             BIGINT        NOT NULL COMMENT 'Natural key: master.customers.customer_id (-1 for the unknown member)',
    customer_code           VARCHAR(64)   NOT NULL COMMENT 'Business code (corrected in every version)',
    customer_name           VARCHAR(200)  NOT NULL COMMENT 'Name (corrected in every version)',
    customer_type           VARCHAR(64)   NULL COMMENT 'OEM, distributor, ... (tracked: a change opens a new version)',
    industry                VARCHAR(100)  NULL COMMENT 'Industry (tracked)',
    country                 VARCHAR(100)  NULL COMMENT 'Country (tracked)',
    region                  VARCHAR(100)  NULL COMMENT 'Region (tracked)',
    city                    VARCHAR(100)  NULL COMMENT 'City (tracked)',
    credit_limit            DECIMAL(14,2) NULL COMMENT 'Credit limit, currency units (tracked)',
    payment_terms_days      INT           NULL COMMENT 'Payment terms, days (tracked)',
    is_active               TINYINT       NULL COMMENT '1 while the customer is active in master data (tracked)',
    segment                 VARCHAR(32)   NOT NULL COMMENT 'CRM segment (crm.customer_accounts): STRATEGIC, ENTERPRISE, MID_MARKET, SMB; UNASSIGNED without a CRM account (tracked)',
    lifecycle_stage         VARCHAR(32)   NULL COMMENT 'CRM lifecycle stage, NULL without a CRM account (tracked)',
    account_manager_rep_id  BIGINT        NULL COMMENT 'Sales rep managing the account (crm.sales_reps), NULL if none (tracked)',
    valid_from              DATE          NOT NULL COMMENT 'First day this version is valid (inclusive); 1900-01-01 for a first version',
    valid_to                DATE          NOT NULL COMMENT 'Day this version stops being valid (exclusive); 9999-12-31 while current',
    is_current              TINYINT       NOT NULL COMMENT '1 for the current version of a member still in the source',
    version                 INT           NOT NULL COMMENT 'Version number of the member, 1 = first seen',
    row_hash                CHAR(64)      NOT NULL COMMENT 'SHA-256 of the tracked attributes (change detection)',
    updated_at              DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (customer_key),
    -- grain: (customer_id, version)
    UNIQUE KEY uq_dim_customer_version (customer_id, version),
    KEY idx_dim_customer_valid (customer_id, valid_from, valid_to),
    KEY idx_dim_customer_segment (segment),
    KEY idx_dim_customer_changed (is_current, updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Customers with history (SCD type 2), segment from CRM';

INSERT IGNORE INTO dim_customer (customer_key, customer_id, customer_code, customer_name, segment,
    valid_from, valid_to, is_current, version, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown customer', 'UNKNOWN', '1900-01-01', '9999-12-31', 1, 1, '',
    CURRENT_TIMESTAMP(6));
