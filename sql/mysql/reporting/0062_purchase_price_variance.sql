CREATE TABLE IF NOT EXISTS purchase_price_variance (
    date                       DATE          NOT NULL COMMENT 'Order day of the purchase orders',
    material_id                BIGINT        NOT NULL COMMENT 'Material bought (master.materials)',
    supplier_id                BIGINT        NOT NULL COMMENT 'Supplier (master.suppliers)',
    standard_price             DECIMAL(14,4) NULL COMMENT 'Material standard cost valid on the day (erp.standard_costs), per unit, NULL without one',
    actual_price               DECIMAL(14,4) NOT NULL COMMENT 'Quantity-weighted average unit price paid, per unit',
    unit_price_variance_ratio  DECIMAL(15,6) NULL COMMENT '(actual_price - standard_price) / standard_price, signed fraction, NULL without a standard price',
    quantity_ordered           DECIMAL(16,3) NOT NULL COMMENT 'Units ordered on non-cancelled purchase orders',
    total_variance_amount      DECIMAL(16,2) NULL COMMENT 'Sum of (unit_price - standard_price) x quantity, currency units, positive = paid above standard',
    updated_at                 DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date, material_id, supplier_id),
    KEY idx_ppv_material_date (material_id, date DESC),
    KEY idx_ppv_supplier_date (supplier_id, date DESC)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Purchase price variance against material standard cost per material, supplier and order day';
