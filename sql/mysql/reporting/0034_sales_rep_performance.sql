CREATE TABLE IF NOT EXISTS sales_rep_performance (
    date                    DATE          NOT NULL COMMENT 'Order day (order_date of the sales orders)',
    salesperson_id          BIGINT        NOT NULL COMMENT 'Sales rep (crm.sales_reps, erp.sales_orders.sales_rep_id)',
    rep_name                VARCHAR(200)  NULL COMMENT 'Name of the rep, NULL if unknown to the CRM',
    order_count             INT           NOT NULL COMMENT 'Non-cancelled orders of the rep placed on the day',
    total_sales             DECIMAL(16,2) NOT NULL COMMENT 'Sum of their order values, currency units',
    daily_target_amount     DECIMAL(16,2) NULL COMMENT 'Monthly target of the rep (crm.sales_targets) / days in the month, NULL without a target',
    target_vs_actual_ratio  DECIMAL(15,6) NULL COMMENT 'total_sales / daily_target_amount, fraction (above 1 beats the target), NULL without a target',
    commission_rate         DECIMAL(7,4)  NULL COMMENT 'Commission rate of the rep (crm.sales_reps), fraction',
    commission_amount       DECIMAL(16,2) NULL COMMENT 'total_sales x commission_rate, currency units',
    customer_count          INT           NOT NULL COMMENT 'Distinct customers with a non-cancelled order of the rep on the day',
    win_rate_ratio          DECIMAL(9,6)  NULL COMMENT 'CLOSED_WON / (CLOSED_WON + CLOSED_LOST) opportunities closed in the 30 days ending on the day, fraction, NULL when none closed',
    updated_at              DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, salesperson_id),
    KEY idx_sales_rep_date (salesperson_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily sales, target attainment, commission, customers and 30-day win rate per sales rep';
