-- Delivery SLAs of the shipments changed in [start, end): the shipment's change marker
-- (updated_at) or its proof of delivery (deliveries, insert-only, marker delivered_at).
-- Days are UTC days: the SLA is met when the goods arrive on or before the planned delivery day.
WITH changed AS (
    SELECT s.shipment_id
    FROM shipments AS s
    WHERE s.updated_at >= %(start)s AND s.updated_at < %(end)s
    UNION
    SELECT d.shipment_id
    FROM deliveries AS d
    WHERE d.delivered_at >= %(start)s AND d.delivered_at < %(end)s
),
measured AS (
    SELECT s.shipment_id, s.shipment_number, s.customer_id,
           (s.shipped_at AT TIME ZONE 'UTC')::date AS shipped_day,
           s.planned_delivery_date,
           -- the proof of delivery wins over the shipment's own status field
           (COALESCE(d.delivered_at, s.delivered_at) AT TIME ZONE 'UTC')::date AS delivered_day
    FROM changed AS c
    JOIN shipments AS s ON s.shipment_id = c.shipment_id
    LEFT JOIN deliveries AS d ON d.shipment_id = s.shipment_id
)
SELECT
    'SHIPMENT:' || m.shipment_id || ':DELIVERY' AS sla_id,
    m.shipped_day AS tracking_date,
    'DELIVERY' AS sla_type,
    'SHIPMENT' AS source_record_type,
    m.shipment_id::bigint AS source_record_id,
    m.shipment_number AS source_record_number,
    m.customer_id::bigint AS customer_id,
    'days from shipped to delivered' AS target_metric,
    (m.planned_delivery_date - m.shipped_day)::numeric AS target_value,
    (m.delivered_day - m.shipped_day)::numeric AS actual_value,
    CASE
        WHEN m.delivered_day IS NULL THEN 'PENDING'
        WHEN m.delivered_day <= m.planned_delivery_date THEN 'MET'
        ELSE 'BREACHED'
    END AS compliance_status,
    CASE
        WHEN m.delivered_day IS NULL THEN NULL
        WHEN m.delivered_day <= m.planned_delivery_date THEN 'YES'
        ELSE 'NO'
    END AS compliant,
    CASE WHEN m.delivered_day > m.planned_delivery_date THEN 1 ELSE 0 END AS violation_count
FROM measured AS m
