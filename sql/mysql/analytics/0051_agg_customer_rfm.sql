-- Daily snapshot of every active customer's recency, frequency and monetary (RFM) scores.
CREATE TABLE IF NOT EXISTS agg_customer_rfm (
    date              DATE          NOT NULL COMMENT 'Snapshot day: scores as of the end of the day, the partition column',
    customer_id       BIGINT        NOT NULL COMMENT 'Natural id of the customer',
    customer_key      BIGINT        NOT NULL COMMENT 'Customer version valid on the snapshot day -> dim_customer.customer_key (0 = unknown)',
    last_order_date   DATE          NOT NULL COMMENT 'Day of the customer''s latest non-cancelled order up to the snapshot day',
    recency_days      INT           NOT NULL COMMENT 'Snapshot day - last_order_date, days',
    frequency_orders  INT           NOT NULL COMMENT 'Non-cancelled orders in the 365 days ending with the snapshot day',
    monetary_amount   DECIMAL(16,2) NOT NULL COMMENT 'Net revenue of those orders, currency units',
    recency_score     TINYINT       NOT NULL COMMENT 'Quintile score 1..5 (5 = most recent) among the day''s active customers',
    frequency_score   TINYINT       NOT NULL COMMENT 'Quintile score 1..5 (5 = most orders)',
    monetary_score    TINYINT       NOT NULL COMMENT 'Quintile score 1..5 (5 = highest revenue)',
    rfm_score         CHAR(3)       NOT NULL COMMENT 'Recency, frequency and monetary scores as three digits, e.g. 545',
    rfm_segment       VARCHAR(24)   NOT NULL COMMENT 'CHAMPIONS, LOYAL, PROMISING, AT_RISK, HIBERNATING or NEEDS_ATTENTION',
    updated_at        DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, customer_id),
    KEY idx_rfm_customer (customer_key),
    KEY idx_rfm_segment (date, rfm_segment)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily RFM scores of the customers active in the trailing 365 days';
