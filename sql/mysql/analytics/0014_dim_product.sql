-- Products as they were over time (type 2): category, family, prices and lifecycle keep their
-- history, so "margin by product family as it was then" is answerable.
CREATE TABLE IF NOT EXISTS dim_product (
    product_key             BIGINT        NOT NULL COMMENT 'Surrogate key of one version; facts join on it (fact.product_key = dim_product.product_key, the version valid on the fact''s date); 0 = unknown member',
    product_id              BIGINT        NOT NULL COMMENT 'Natural key: master.products.product_id (-1 for the unknown member)',
    sku                     VARCHAR(64)   NOT NULL COMMENT 'Stock keeping unit (corrected in every version)',
    product_name            VARCHAR(200)  NOT NULL COMMENT 'Name of the product (corrected in every version)',
    category                VARCHAR(100)  NULL COMMENT 'Product category (tracked: a change opens a new version)',
    product_family          VARCHAR(100)  NULL COMMENT 'Product family (tracked)',
    unit_of_measure         VARCHAR(16)   NULL COMMENT 'Unit of measure (tracked)',
    list_price              DECIMAL(14,4) NULL COMMENT 'List price from master data, currency units (tracked)',
    price_list_unit_price   DECIMAL(14,4) NULL COMMENT 'USD price-list price valid on the day of the merge (erp.price_lists), NULL without one (tracked)',
    standard_cost           DECIMAL(14,4) NULL COMMENT 'Standard cost from master data, currency units (tracked)',
    lifecycle_status        VARCHAR(32)   NULL COMMENT 'ACTIVE, PHASE_OUT, ... (tracked)',
    launch_date             DATE          NULL COMMENT 'Launch day (corrected in every version)',
    valid_from              DATE          NOT NULL COMMENT 'First day this version is valid (inclusive); 1900-01-01 for a first version',
    valid_to                DATE          NOT NULL COMMENT 'Day this version stops being valid (exclusive); 9999-12-31 while current',
    is_current              TINYINT       NOT NULL COMMENT '1 for the current version of a member still in the source',
    version                 INT           NOT NULL COMMENT 'Version number of the member, 1 = first seen',
    row_hash                CHAR(64)      NOT NULL COMMENT 'SHA-256 of the tracked attributes (change detection)',
    updated_at              DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (product_key),
    -- grain: (product_id, version)
    UNIQUE KEY uq_dim_product_version (product_id, version),
    KEY idx_dim_product_valid (product_id, valid_from, valid_to),
    KEY idx_dim_product_changed (is_current, updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Products with history (SCD type 2)';

INSERT IGNORE INTO dim_product (product_key, product_id, sku, product_name, valid_from, valid_to,
    is_current, version, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown product', '1900-01-01', '9999-12-31', 1, 1, '', CURRENT_TIMESTAMP(6));
