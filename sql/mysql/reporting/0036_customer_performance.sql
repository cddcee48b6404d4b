CREATE TABLE IF NOT EXISTS customer_performance (
    date                       DATE          NOT NULL COMMENT 'Day of the snapshot, year-to-date figures run from 1 January of its year to it',
    customer_id                BIGINT        NOT NULL COMMENT 'Customer with a non-cancelled order in the year to date (master.customers)',
    customer_name              VARCHAR(200)  NULL COMMENT 'Name of the customer, NULL if unknown to master data',
    ytd_sales                  DECIMAL(16,2) NOT NULL COMMENT 'Order values of non-cancelled orders in the year to date, currency units',
    ytd_orders                 INT           NOT NULL COMMENT 'Non-cancelled orders in the year to date',
    ytd_units_ordered          DECIMAL(16,3) NOT NULL COMMENT 'Units on those orders',
    ytd_units_returned         DECIMAL(16,3) NOT NULL COMMENT 'Units returned in the year to date (service.returns, REJECTED returns excluded)',
    return_rate_ratio          DECIMAL(15,6) NULL COMMENT 'ytd_units_returned / ytd_units_ordered, fraction (can exceed 1 early in a year), NULL when nothing was ordered',
    last_order_date            DATE          NOT NULL COMMENT 'Day of the latest non-cancelled order up to the day',
    churn_risk                 VARCHAR(8)    NOT NULL COMMENT 'HIGH: no order in the last 60 days, MEDIUM: none in the last 30 days, else LOW',
    payment_terms_days         INT           NULL COMMENT 'Agreed payment terms of the customer in days (master.customers)',
    ytd_paid_orders            INT           NOT NULL COMMENT 'Non-cancelled orders paid in the year to date',
    payment_days_average       DECIMAL(10,2) NULL COMMENT 'Average days from order to payment of the orders paid in the year to date, NULL when none',
    payment_reliability_ratio  DECIMAL(9,6)  NULL COMMENT 'Share of those paid orders paid within payment_terms_days, fraction, NULL when none',
    nps_score                  SMALLINT      NULL COMMENT 'Current net promoter score of the customer account (crm.customer_accounts), -100..100',
    updated_at                 DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, customer_id),
    KEY idx_customer_perf_customer_date (customer_id, date DESC),
    KEY idx_customer_perf_churn_risk (date, churn_risk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily year-to-date snapshot per customer: sales, payment behaviour, returns, NPS and churn risk';
