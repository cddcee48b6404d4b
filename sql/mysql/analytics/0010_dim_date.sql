-- The calendar: one row per day of the whole history and of the planning horizon (two years
-- ahead), with the fiscal period of financial.accounting_periods. Type 1: a day's attributes
-- are corrected in place (e.g. when a fiscal period is opened or closed).
CREATE TABLE IF NOT EXISTS dim_date (
    date_key              INT           NOT NULL COMMENT 'Surrogate key yyyymmdd; facts join on it (fact.date_key and the role-playing *_date_key columns = dim_date.date_key); 0 = unknown day',
    date                  DATE          NOT NULL COMMENT 'Natural key: the calendar day (UTC); 1900-01-01 for the unknown member',
    day_of_week           TINYINT       NOT NULL COMMENT 'ISO day of week, 1 = Monday .. 7 = Sunday',
    day_name              VARCHAR(9)    NOT NULL COMMENT 'Monday .. Sunday',
    day_of_month          TINYINT       NOT NULL COMMENT 'Day of the month, 1..31',
    day_of_year           SMALLINT      NOT NULL COMMENT 'Day of the year, 1..366',
    iso_week              TINYINT       NOT NULL COMMENT 'ISO 8601 week number, 1..53',
    iso_year              SMALLINT      NOT NULL COMMENT 'ISO 8601 week-numbering year',
    month_number          TINYINT       NOT NULL COMMENT 'Month, 1..12',
    month_name            VARCHAR(9)    NOT NULL COMMENT 'January .. December',
    quarter_number        TINYINT       NOT NULL COMMENT 'Calendar quarter, 1..4',
    year_number           SMALLINT      NOT NULL COMMENT 'Calendar year',
    calendar_month          CHAR(7)       NOT NULL COMMENT 'Calendar month as yyyy-mm (for grouping by month)',
    month_start           DATE          NOT NULL COMMENT 'First day of the calendar month',
    is_weekend            TINYINT       NOT NULL COMMENT '1 on Saturday and Sunday',
    is_month_end          TINYINT       NOT NULL COMMENT '1 on the last day of the calendar month',
    fiscal_period_id      BIGINT        NULL COMMENT 'Accounting period containing the day (financial.accounting_periods; the shortest one if several), NULL when none is defined yet',
    fiscal_period_code    VARCHAR(32)   NULL COMMENT 'Code of that accounting period, e.g. 2025-03',
    fiscal_period_start   DATE          NULL COMMENT 'First day of that accounting period',
    fiscal_period_end     DATE          NULL COMMENT 'Last day of that accounting period (inclusive)',
    fiscal_period_status  VARCHAR(8)    NULL COMMENT 'OPEN or CLOSED (status of the accounting period)',
    row_hash              CHAR(64)      NOT NULL COMMENT 'SHA-256 of the attributes (change detection of the type-1 merge)',
    updated_at            DATETIME(6)   NOT NULL COMMENT 'When the platform last changed this row (UTC)',
    PRIMARY KEY (date_key),
    -- grain: (date)
    UNIQUE KEY uq_dim_date_date (date),
    KEY idx_dim_date_month (calendar_month),
    KEY idx_dim_date_fiscal (fiscal_period_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Calendar and fiscal periods, one row per day; the date dimension of every fact';

INSERT IGNORE INTO dim_date (date_key, date, day_of_week, day_name, day_of_month, day_of_year,
    iso_week, iso_year, month_number, month_name, quarter_number, year_number, calendar_month,
    month_start, is_weekend, is_month_end, row_hash, updated_at)
VALUES (0, '1900-01-01', 1, 'Unknown', 1, 1, 1, 1900, 1, 'Unknown', 1, 1900, '1900-01',
    '1900-01-01', 0, 0, '', CURRENT_TIMESTAMP(6));
