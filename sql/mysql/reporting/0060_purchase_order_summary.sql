CREATE TABLE IF NOT EXISTS purchase_order_summary (
    date                    DATE          NOT NULL COMMENT 'Order day (= order_date), the partition column',
    purchase_order_id       BIGINT        NOT NULL COMMENT 'Purchase order (erp.purchase_orders)',
    po_number               VARCHAR(64)   NOT NULL COMMENT 'Business number of the purchase order',
    order_date              DATE          NOT NULL COMMENT 'Day the purchase order was placed',
    due_date                DATE          NOT NULL COMMENT 'Day the goods are due (purchase order header)',
    supplier_id             BIGINT        NOT NULL COMMENT 'Supplier (master.suppliers)',
    buyer_id                BIGINT        NOT NULL COMMENT 'Buyer, an employee (hr.employees)',
    cost_center_id          BIGINT        NOT NULL COMMENT 'Cost centre charged (master.cost_centers)',
    cost_center             VARCHAR(64)   NULL COMMENT 'Code of the cost centre, NULL if unknown to master data',
    total_amount            DECIMAL(16,2) NOT NULL COMMENT 'Value of the purchase order, currency units (also kept on CANCELLED orders)',
    status                  VARCHAR(24)   NOT NULL COMMENT 'Status (OPEN, PARTIALLY_RECEIVED, RECEIVED, CLOSED, CANCELLED)',
    payment_status          VARCHAR(16)   NOT NULL COMMENT 'Payment status of the purchase order (UNPAID, PARTIAL, PAID, OVERDUE)',
    quantity_ordered        DECIMAL(16,3) NOT NULL COMMENT 'Units ordered over all lines',
    quantity_received       DECIMAL(16,3) NOT NULL COMMENT 'Units received so far over all lines (goods receipts)',
    on_time_delivery_ratio  DECIMAL(9,6)  NULL COMMENT 'Units received on or before due_date (capped per line at the ordered quantity) / quantity_ordered, fraction, NULL when nothing was received',
    cost_variance_ratio     DECIMAL(15,6) NULL COMMENT '(line amounts - quantity x material standard cost valid on the order day) / the latter, signed fraction, NULL without a standard cost',
    updated_at              DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, purchase_order_id),
    KEY idx_po_summary_supplier_date (supplier_id, date DESC),
    KEY idx_po_summary_order_date (order_date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='One row per purchase order with its value, status, on-time delivery and cost variance';
