CREATE TABLE IF NOT EXISTS delivery_performance_summary (
    date                            DATE          NOT NULL COMMENT 'Day the goods were received (UTC)',
    supplier_id                     BIGINT        NOT NULL COMMENT 'Supplier of the purchase order (master.suppliers)',
    total_deliveries                INT           NOT NULL COMMENT 'Goods receipts on the day',
    on_time_deliveries              INT           NOT NULL COMMENT 'Receipts received on or before the due_date of their purchase order line',
    on_time_delivery_ratio          DECIMAL(9,6)  NOT NULL COMMENT 'on_time_deliveries / total_deliveries, fraction',
    average_days_late               DECIMAL(10,2) NULL COMMENT 'Average days after the line due_date, over late receipts only, NULL when none was late',
    quantity_received               DECIMAL(16,3) NOT NULL COMMENT 'Units received',
    quantity_accepted               DECIMAL(16,3) NOT NULL COMMENT 'Units accepted by incoming inspection',
    quality_acceptance_rate_ratio   DECIMAL(9,6)  NULL COMMENT 'quantity_accepted / quantity_received, fraction, NULL when nothing was received',
    updated_at                      DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, supplier_id),
    KEY idx_delivery_perf_supplier_date (supplier_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Daily deliveries, on-time share, lateness and quality acceptance per supplier';
