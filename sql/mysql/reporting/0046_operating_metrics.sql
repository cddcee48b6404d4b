CREATE TABLE IF NOT EXISTS operating_metrics (
    date                     DATE          NOT NULL COMMENT 'Last day of the trailing 30-day window, balances at the end of this day',
    revenue_30d              DECIMAL(16,2) NOT NULL COMMENT 'Credit - debit on REVENUE accounts over the 30 days ending on date',
    cost_of_goods_sold_30d   DECIMAL(16,2) NOT NULL COMMENT 'Debit - credit on COGS accounts over the 30 days',
    gross_margin_30d         DECIMAL(16,2) NOT NULL COMMENT 'revenue_30d - cost_of_goods_sold_30d',
    operating_income_30d     DECIMAL(16,2) NOT NULL COMMENT 'gross_margin_30d - OPEX over the 30 days',
    net_income_30d           DECIMAL(16,2) NOT NULL COMMENT 'operating_income_30d + other income - interest - taxes over the 30 days',
    total_assets             DECIMAL(16,2) NOT NULL COMMENT 'Cumulative debit - credit on ASSET accounts at the end of date',
    shareholders_equity      DECIMAL(16,2) NOT NULL COMMENT 'EQUITY accounts + cumulative net income at the end of date',
    inventory_balance        DECIMAL(16,2) NOT NULL COMMENT 'Cumulative debit - credit on CURRENT_ASSET accounts named Inventory at the end of date',
    gross_margin_ratio       DECIMAL(15,6) NULL COMMENT 'gross_margin_30d / revenue_30d, fraction',
    operating_margin_ratio   DECIMAL(15,6) NULL COMMENT 'operating_income_30d / revenue_30d, fraction',
    net_margin_ratio         DECIMAL(15,6) NULL COMMENT 'net_income_30d / revenue_30d, fraction',
    return_on_assets_ratio   DECIMAL(15,6) NULL COMMENT 'net_income_30d x 365/30 / total_assets, annualised fraction',
    return_on_equity_ratio   DECIMAL(15,6) NULL COMMENT 'net_income_30d x 365/30 / shareholders_equity, annualised fraction',
    asset_turnover           DECIMAL(15,6) NULL COMMENT 'revenue_30d x 365/30 / total_assets, times per year',
    inventory_turnover       DECIMAL(15,6) NULL COMMENT 'cost_of_goods_sold_30d x 365/30 / inventory_balance, times per year',
    updated_at               DATETIME(6)   NOT NULL COMMENT 'When the platform last wrote this row (UTC)',
    PRIMARY KEY (date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT='Company-wide margins, returns and turnover over the trailing 30 days';
