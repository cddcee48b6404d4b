-- The USD price-list price of each product valid today (erp database). A new price takes
-- effect on its own valid_from day (or the day it was entered, if that is later).
SELECT DISTINCT ON (product_id)
       product_id::bigint                                            AS product_id,
       unit_price                                                    AS price_list_unit_price,
       greatest(valid_from, (updated_at AT TIME ZONE 'UTC')::date)  AS changed_prices
FROM price_lists
WHERE currency = 'USD' AND valid_from <= current_date AND current_date < valid_to
ORDER BY product_id, valid_from DESC
