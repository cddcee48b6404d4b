-- Suppliers as they were over time (type 2): classification, geography and terms from master
-- data, certification and audit standing from the supplier portal.
CREATE TABLE IF NOT EXISTS dim_supplier (
    supplier_key            BIGINT        NOT NULL COMMENT 'Surrogate key of one version; facts join on it (fact.supplier_key = dim_supplier.supplier_key, the version valid on the fact''s date); 0 = unknown member',
    supplier_id             BIGINT        NOT NULL COMMENT 'Natural key: master.suppliers.supplier_id (-1 for the unknown member)',
    supplier_code           VARCHAR(64)   NOT NULL COMMENT 'Business code (corrected in every version)',
    supplier_name           VARCHAR(200)  NOT NULL COMMENT 'Name (corrected in every version)',
    supplier_category       VARCHAR(100)  NULL COMMENT 'What the supplier delivers (tracked: a change opens a new version)',
    country                 VARCHAR(100)  NULL COMMENT 'Country (tracked)',
    region                  VARCHAR(100)  NULL COMMENT 'Region (tracked)',
    city                    VARCHAR(100)  NULL COMMENT 'City (tracked)',
    payment_terms_days      INT           NULL COMMENT 'Payment terms, days (tracked)',
    is_active               TINYINT       NULL COMMENT '1 while the supplier is active in master data (tracked)',
    valid_certifications    INT           NOT NULL COMMENT 'Certifications with status VALID (supplier.certifications) (tracked)',
    latest_audit_result     VARCHAR(16)   NULL COMMENT 'PASS, CONDITIONAL or FAIL of the latest supplier audit, NULL if never audited (tracked)',
    valid_from              DATE          NOT NULL COMMENT 'First day this version is valid (inclusive); 1900-01-01 for a first version',
    valid_to                DATE          NOT NULL COMMENT 'Day this version stops being valid (exclusive); 9999-12-31 while current',
    is_current              TINYINT       NOT NULL COMMENT '1 for the current version of a member still in the source',
    version                 INT           NOT NULL COMMENT 'Version number of the member, 1 = first seen',
    row_hash                CHAR(64)      NOT NULL COMMENT 'SHA-256 of the tracked attributes (change detection)',
    updated_at              DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (supplier_key),
    -- grain: (supplier_id, version)
    UNIQUE KEY uq_dim_supplier_version (supplier_id, version),
    KEY idx_dim_supplier_valid (supplier_id, valid_from, valid_to),
    KEY idx_dim_supplier_changed (is_current, updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Suppliers with history (SCD type 2)';

INSERT IGNORE INTO dim_supplier (supplier_key, supplier_id, supplier_code, supplier_name,
    valid_certifications, valid_from, valid_to, is_current, version, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown supplier', 0, '1900-01-01', '9999-12-31', 1, 1, '',
    CURRENT_TIMESTAMP(6));
