-- Inventory dashboard: stock value of one warehouse over the 30 days ending with a given day.
-- Served by idx_inventory_value_warehouse_date (warehouse_id, date DESC) of
-- inventory_value_summary: one index range, no sort of other warehouses' rows.
SELECT date,
       location,
       quantity_on_hand,
       value_at_cost,
       value_at_market,
       inventory_turnover_days,
       aging_status
FROM inventory_value_summary
WHERE warehouse_id = %(warehouse_id)s
  AND date >= DATE_SUB(%(as_of)s, INTERVAL 29 DAY)
  AND date <= %(as_of)s
ORDER BY date
