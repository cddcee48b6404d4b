CREATE TABLE IF NOT EXISTS supplier_performance_summary (
    date                    DATE          NOT NULL COMMENT 'Day of the purchase orders placed and of the goods received',
    supplier_id             BIGINT        NOT NULL COMMENT 'Supplier (master.suppliers)',
    supplier_name           VARCHAR(200)  NULL COMMENT 'Name of the supplier, NULL if unknown to master data',
    total_orders            INT           NOT NULL COMMENT 'Non-cancelled purchase orders placed with the supplier on the day',
    total_spent             DECIMAL(16,2) NOT NULL COMMENT 'Sum of their order values, currency units',
    payment_terms           INT           NULL COMMENT 'Agreed payment terms of the supplier in days (master.suppliers.payment_terms_days)',
    deliveries_received     INT           NOT NULL COMMENT 'Goods receipts from the supplier on the day (UTC)',
    on_time_delivery_ratio  DECIMAL(9,6)  NULL COMMENT 'Share of those receipts received on or before the purchase order due_date, fraction, NULL without receipts',
    quality_rating          DECIMAL(3,2)  NULL COMMENT 'Quality rating of the month of the day (supplier.supplier_ratings), 0..5',
    price_competitiveness   DECIMAL(3,2)  NULL COMMENT 'Price competitiveness rating of the month, 0..5',
    responsiveness_rating   DECIMAL(3,2)  NULL COMMENT 'Responsiveness rating of the month, 0..5',
    updated_at              DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, supplier_id),
    KEY idx_supplier_perf_supplier_date (supplier_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily spend, on-time delivery and monthly ratings per supplier';
