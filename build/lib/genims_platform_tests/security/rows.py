"""Hand-made source rows for the tests that materialise `sales_by_customer`: customers in
master, one confirmed order per customer in erp on `DAY`."""

from __future__ import annotations

from datetime import date

DAY = date(2025, 3, 31)


def customers(names: dict[int, str]) -> list[dict]:
    return [
        {
            "customer_id": cid,
            "customer_code": f"C{cid}",
            "customer_name": name,
            "customer_type": "OEM",
            "industry": "Automotive",
            "country": "DE",
            "region": "EMEA",
            "city": "Berlin",
        }
        for cid, name in names.items()
    ]


def orders(customer_ids) -> list[dict]:
    return [
        {
            "sales_order_id": cid,
            "order_number": f"SO-{cid}",
            "customer_id": cid,
            "sales_rep_id": 1,
            "factory_id": 1,
            "order_date": DAY,
            "requested_delivery_date": DAY,
            "promised_delivery_date": DAY,
            "total_amount": 100 * cid,
            "status": "CONFIRMED",
            "payment_status": "UNPAID",
        }
        for cid in customer_ids
    ]
