-- Factories (type 1): where things are made; overwritten in place when master data changes.
CREATE TABLE IF NOT EXISTS dim_factory (
    factory_key     BIGINT        NOT NULL COMMENT 'Surrogate key; facts join on it (fact.factory_key = dim_factory.factory_key); 0 = unknown member',
    factory_id      BIGINT        NOT NULL COMMENT 'Natural key: master.factories.factory_id (-1 for the unknown member)',
    factory_code    VARCHAR(64)   NOT NULL COMMENT 'Business code of the factory',
    factory_name    VARCHAR(200)  NOT NULL COMMENT 'Name of the factory',
    country         VARCHAR(100)  NULL COMMENT 'Country',
    region          VARCHAR(100)  NULL COMMENT 'Sales/operations region',
    city            VARCHAR(100)  NULL COMMENT 'City',
    timezone        VARCHAR(64)   NULL COMMENT 'IANA time zone of the site',
    is_active       TINYINT       NULL COMMENT '1 while the factory operates',
    row_hash        CHAR(64)      NOT NULL COMMENT 'SHA-256 of the attributes (change detection of the type-1 merge)',
    updated_at      DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (factory_key),
    -- grain: (factory_id)
    UNIQUE KEY uq_dim_factory_id (factory_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Factories (type 1)';

INSERT IGNORE INTO dim_factory (factory_key, factory_id, factory_code, factory_name, row_hash, updated_at)
VALUES (0, -1, 'UNKNOWN', 'Unknown factory', '', CURRENT_TIMESTAMP(6));
