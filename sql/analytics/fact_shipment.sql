-- Shipments delivered in the window (tms database), on their delivery day (UTC), with carrier,
-- route, delivery outcome and tracking activity.
WITH delivered AS (
    SELECT *
    FROM shipments
    WHERE delivered_at >= %(start)s AND delivered_at < %(end)s
),
tracking AS (
    SELECT shipment_id, count(*) AS events
    FROM tracking_events
    WHERE shipment_id IN (SELECT shipment_id FROM delivered)
    GROUP BY 1
)
SELECT (s.delivered_at AT TIME ZONE 'UTC')::date                           AS date,
       s.shipment_id::bigint                                               AS shipment_id,
       s.shipment_number,
       s.sales_order_id::bigint                                            AS sales_order_id,
       s.customer_id::bigint                                               AS customer_id,
       s.warehouse_id::bigint                                              AS warehouse_id,
       s.carrier_id::bigint                                                AS carrier_id,
       c.carrier_code,
       c.carrier_name,
       c.mode                                                              AS transport_mode,
       s.route_id::bigint                                                  AS route_id,
       r.destination_country,
       r.destination_region,
       s.status,
       (s.shipped_at AT TIME ZONE 'UTC')::date                             AS ship_date,
       s.shipped_at,
       s.delivered_at,
       s.planned_delivery_date,
       extract(epoch FROM s.delivered_at - s.shipped_at) / 86400.0         AS transit_days,
       r.standard_transit_days,
       (s.delivered_at AT TIME ZONE 'UTC')::date - s.planned_delivery_date AS days_late,
       coalesce(d.on_time,
                (s.delivered_at AT TIME ZONE 'UTC')::date <= s.planned_delivery_date)::int
                                                                           AS is_on_time,
       d.condition                                                         AS delivery_condition,
       s.freight_cost,
       s.weight_kg,
       r.distance_km,
       coalesce(t.events, 0)                                               AS tracking_events
FROM delivered s
LEFT JOIN carriers c ON c.carrier_id = s.carrier_id
LEFT JOIN routes r ON r.route_id = s.route_id
LEFT JOIN deliveries d ON d.shipment_id = s.shipment_id
LEFT JOIN tracking t ON t.shipment_id = s.shipment_id
