"""Inventory tables against hand-made data, with expected values computed here.

The plant: four materials in three warehouses (two of factory 71, one distribution centre without
a factory), opening receipts, issues, scrap, a transfer, adjustments, cycle counts with and
without a variance, a material that has not moved for 100 days, a material never issued, an item
whose stock fell to zero under a stocking policy, movements at and just before midnight, erp
standard costs and purchase prices, supplier scorecards. Every expected value below is computed in
plain Python from the movements and the KPI definitions, never from the SQL.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from genims_platform.lib import mysql, pg
from genims_platform.lib.sqlfiles import load_sql
from genims_platform_tests import harness

pytestmark = pytest.mark.integration

DAY = date(2025, 8, 20)
DAYS = (DAY - timedelta(days=1), DAY, DAY + timedelta(days=1))
TABLES = (
    "inventory_value_summary",
    "slow_moving_inventory",
    "inventory_variance_analysis",
    "stock_level_summary",
    "inventory_aging_report",
    "material_flow_daily",
)

M1, M2, M3, M4 = 9001, 9002, 9003, 9004
W1, W2, W3 = 801, 802, 803
FACTORY = 71
FACTORY_OF = {W1: FACTORY, W2: FACTORY, W3: 0}  # W3 is a distribution centre
CITY = {W1: "Pune", W2: "Chakan", W3: "Mumbai"}
MASTER_COST = {M1: 10.0, M2: 0.5, M3: 2.0, M4: 7.0}
NAME = {M1: "Steel sheet 2mm", M2: "Bolt M8", M3: "Gasket 40mm", M4: "Bearing 6204"}

# (material, warehouse, type, quantity, unit cost, timestamp UTC)
MOVES = [
    (M1, W1, "RECEIPT", 500, 11.0, "2025-02-10 08:00"),
    (M1, W1, "ISSUE", -450, 11.0, "2025-03-15 10:00"),
    (M1, W2, "RECEIPT", 80, 11.0, "2025-04-01 09:00"),
    (M1, W2, "ADJUSTMENT", 10, 11.0, "2025-05-30 12:00"),
    (M1, W1, "RECEIPT", 300, 14.0, "2025-06-15 08:00"),
    (M1, W1, "ISSUE", -100, 12.5, "2025-07-25 10:00"),
    (M1, W1, "RECEIPT", 200, 13.5, "2025-08-01 08:00"),
    (M1, W1, "ADJUSTMENT", -5, 12.5, "2025-08-05 16:00"),
    (M1, W2, "SCRAP", -5, 12.5, "2025-08-10 11:00"),
    (M1, W1, "ISSUE", -50, 12.5, "2025-08-20 10:00"),
    (M1, W1, "TRANSFER_OUT", -30, 12.5, "2025-08-20 14:00"),
    (M1, W2, "TRANSFER_IN", 30, 12.5, "2025-08-20 18:00"),
    (M1, W1, "ISSUE", -15, 12.5, "2025-08-20 23:59:59"),
    (M1, W1, "ISSUE", -20, 12.5, "2025-08-21 00:00:00"),  # the next day already
    (M2, W1, "RECEIPT", 1000, 0.5, "2025-01-20 08:00"),
    (M2, W2, "RECEIPT", 20, 0.5, "2025-03-01 08:00"),
    (M2, W2, "ISSUE", -20, 2.0, "2025-03-02 08:00"),  # W2 down to zero, policy kept
    (M2, W1, "ISSUE", -400, 2.0, "2025-04-22 08:00"),  # last issue: 120 days before DAY
    (M2, W1, "ADJUSTMENT", -10, 0.5, "2025-08-20 11:00"),  # after the cycle count
    (M3, W2, "RECEIPT", 50, 2.2, "2025-05-12 08:00"),  # no movement for 100 days, never issued
    (M4, W3, "RECEIPT", 40, 7.0, "2025-01-05 08:00"),
    (M4, W3, "ISSUE", -10, 7.0, "2025-02-01 08:00"),  # last issue: 200 days before DAY
    (M4, W3, "RECEIPT", 100, 7.0, "2025-08-15 08:00"),
]
# (material, warehouse, reorder point, safety stock); M3 in W1 has a policy but never moved.
POLICIES = [
    (M1, W1, 500, 100),
    (M1, W2, 120, 85),
    (M2, W1, 100, 50),
    (M2, W2, 10, 5),
    (M3, W1, 5, 1),
    (M4, W3, 0, 0),
]
# (material, warehouse, counted at, system, counted, unit cost, root cause)
COUNTS = [
    (M1, W1, "2025-08-19 23:59:59", 415, 414, 12.5, "MISCOUNT"),
    (M2, W1, "2025-08-20 09:00", 600, 590, 0.5, "DAMAGE"),
    (M2, W1, "2025-08-20 15:00", 590, 588, 0.5, "MISCOUNT"),
    (M3, W1, "2025-08-20 12:00", 0, 3, 2.2, "FOUND"),  # zero system quantity
    (M1, W2, "2025-08-20 20:00", 115, 115, 12.5, None),
    (M1, W1, "2025-08-21 00:00", 350, 340, 12.5, "THEFT"),
]
# erp standard costs (item type, item, unit cost, valid from, valid to)
STANDARD_COSTS = [
    ("MATERIAL", M1, 11.0, date(2025, 1, 1), date(2025, 7, 1)),
    ("MATERIAL", M1, 12.5, date(2025, 7, 1), date(9999, 12, 31)),
    ("MATERIAL", M3, 2.2, date(2025, 1, 1), date(9999, 12, 31)),
    ("PRODUCT", M2, 99.0, date(2025, 1, 1), date(9999, 12, 31)),  # a product, not a material
]
# purchase orders (id, supplier, status, order date, material, unit price, goods receipt)
ORDERS = [
    (5000, 301, "CLOSED", date(2025, 1, 3), M4, 8.0, (W3, "2025-01-05 08:00", 40)),
    (5001, 301, "CLOSED", date(2025, 2, 1), M1, 13.0, (W1, "2025-02-10 08:00", 500)),
    (5002, 302, "CLOSED", date(2025, 6, 10), M1, 14.0, (W1, "2025-06-15 08:00", 300)),
    (5003, 303, "RECEIVED", date(2025, 7, 20), M1, 13.5, (W1, "2025-08-01 08:00", 200)),
    (5004, 304, "CANCELLED", date(2025, 8, 10), M1, 99.0, None),
    (5005, 302, "OPEN", date(2025, 8, 21), M1, 15.0, None),
]
# supplier scorecards (supplier, month, overall score)
RATINGS = [
    (301, date(2025, 8, 1), 1.0),
    (302, date(2025, 7, 1), 4.0),
    (302, date(2025, 8, 1), 4.5),
    (302, date(2025, 9, 1), 1.5),
    (303, date(2025, 6, 1), 3.0),
]


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _tz(text: str) -> str:
    return f"{text}+00"


@pytest.fixture(scope="module")
def plant(contracts):
    harness.clear(
        contracts, "wms", ("inventory_transactions", "inventory_balances", "cycle_counts")
    )
    harness.clear(
        contracts,
        "erp",
        ("goods_receipts", "purchase_order_lines", "purchase_orders", "standard_costs"),
    )
    harness.clear(contracts, "supplier", ("supplier_ratings",))
    harness.clear(contracts, "master", ("warehouses", "materials"))
    # Factories are referenced by lines and machines of other tests: add ours, remove nothing.
    with pg.connect(contracts.pg_primary, contracts.source_db("master")) as conn:
        conn.execute(
            "INSERT INTO factories (factory_id, factory_code, factory_name, country, region, city)"
            " VALUES (%s, 'TEST-INV-71', 'Pune plant', 'IN', 'APAC', 'Pune')"
            " ON CONFLICT (factory_id) DO NOTHING",
            (FACTORY,),
        )
    harness.put(
        contracts,
        "master",
        "warehouses",
        [
            {
                "warehouse_id": w,
                "factory_id": FACTORY_OF[w] or None,
                "warehouse_code": f"WH{w}",
                "warehouse_name": f"Warehouse {w}",
                "warehouse_type": "DC" if w == W3 else "PLANT",
                "country": "IN",
                "city": CITY[w],
            }
            for w in (W1, W2, W3)
        ],
    )
    harness.put(
        contracts,
        "master",
        "materials",
        [
            {
                "material_id": m,
                "material_code": f"MAT{m}",
                "material_name": NAME[m],
                "material_type": "RAW",
                "unit_of_measure": "EA",
                "standard_cost": MASTER_COST[m],
            }
            for m in (M1, M2, M3, M4)
        ],
    )
    harness.put(
        contracts,
        "wms",
        "inventory_transactions",
        [
            {
                "material_id": m,
                "warehouse_id": w,
                "tx_type": kind,
                "quantity": qty,
                "unit_cost": cost,
                "tx_ts": _tz(ts),
            }
            for m, w, kind, qty, cost, ts in MOVES
        ],
    )
    harness.put(
        contracts,
        "wms",
        "inventory_balances",
        [
            {
                "material_id": m,
                "warehouse_id": w,
                "quantity_on_hand": _stock(m, w, DAYS[-1]),
                "reorder_point": rp,
                "safety_stock": ss,
            }
            for m, w, rp, ss in POLICIES
        ],
    )
    harness.put(
        contracts,
        "wms",
        "cycle_counts",
        [
            {
                "material_id": m,
                "warehouse_id": w,
                "counted_at": _tz(ts),
                "system_quantity": system,
                "counted_quantity": counted,
                "unit_cost": cost,
                "root_cause": cause,
                "status": "COUNTED",
            }
            for m, w, ts, system, counted, cost, cause in COUNTS
        ],
    )
    harness.put(
        contracts,
        "erp",
        "standard_costs",
        [
            {"item_type": t, "item_id": i, "unit_cost": c, "valid_from": f, "valid_to": v}
            for t, i, c, f, v in STANDARD_COSTS
        ],
    )
    for po, supplier, status, ordered, material, price, receipt in ORDERS:
        harness.put(
            contracts,
            "erp",
            "purchase_orders",
            [
                {
                    "purchase_order_id": po,
                    "po_number": f"PO{po}",
                    "supplier_id": supplier,
                    "buyer_employee_id": 1,
                    "cost_center_id": 1,
                    "factory_id": FACTORY,
                    "order_date": ordered,
                    "due_date": ordered + timedelta(days=14),
                    "total_amount": price * 10,
                    "status": status,
                    "payment_status": "UNPAID",
                }
            ],
        )
        harness.put(
            contracts,
            "erp",
            "purchase_order_lines",
            [
                {
                    "po_line_id": po * 10 + 1,
                    "purchase_order_id": po,
                    "line_no": 1,
                    "material_id": material,
                    "quantity": 10,
                    "unit_price": price,
                    "line_amount": price * 10,
                    "due_date": ordered + timedelta(days=14),
                }
            ],
        )
        if receipt:
            warehouse, received_at, qty = receipt
            harness.put(
                contracts,
                "erp",
                "goods_receipts",
                [
                    {
                        "gr_number": f"GR{po}",
                        "purchase_order_id": po,
                        "po_line_id": po * 10 + 1,
                        "material_id": material,
                        "warehouse_id": warehouse,
                        "received_at": _tz(received_at),
                        "quantity_received": qty,
                        "quantity_accepted": qty,
                        "quantity_rejected": 0,
                    }
                ],
            )
    harness.put(
        contracts,
        "supplier",
        "supplier_ratings",
        [
            {
                "supplier_id": s,
                "period_month": month,
                "quality_rating": score,
                "delivery_rating": score,
                "price_competitiveness": score,
                "responsiveness_rating": score,
                "overall_score": score,
            }
            for s, month, score in RATINGS
        ],
    )
    with mysql.connect(contracts.target("reporting")) as conn, conn.cursor() as cur:
        for table in TABLES:
            cur.execute(f"DELETE FROM {mysql.quote_ident(table)}")
        conn.commit()
    return contracts


# --- the KPI definitions, in plain Python -------------------------------------------------------


def _until(day: date) -> datetime:
    """Movements up to the end of `day` are those before the next midnight."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time())


def _moves(material=None, warehouse=None, before=None, kinds=None):
    for m, w, kind, qty, cost, ts in MOVES:
        if material is not None and m != material:
            continue
        if warehouse is not None and w not in (
            warehouse if isinstance(warehouse, tuple) else (warehouse,)
        ):
            continue
        if kinds is not None and kind not in kinds:
            continue
        if before is not None and _ts(ts) >= before:
            continue
        yield m, w, kind, qty, cost, _ts(ts)


def _stock(material, warehouse, day) -> float:
    return sum(q for _, _, _, q, _, _ in _moves(material, warehouse, _until(day)))


def _exists(material, warehouse, day) -> bool:
    return any(True for _ in _moves(material, warehouse, _until(day)))


def _moved_on(material, warehouse, day) -> bool:
    return any(ts.date() == day for *_, ts in _moves(material, warehouse))


OUTBOUND = ("ISSUE", "SCRAP", "TRANSFER_OUT")


def _issued(material, warehouse, first: date, last: date, kinds=OUTBOUND) -> float:
    return sum(
        -q
        for _, _, _, q, _, ts in _moves(material, warehouse, kinds=kinds)
        if first <= ts.date() <= last
    )


def _issued_30d(material, warehouse, day) -> float:
    return _issued(material, warehouse, day - timedelta(days=29), day)


def _standard_cost(material, day) -> float:
    for kind, item, cost, valid_from, valid_to in STANDARD_COSTS:
        if kind == "MATERIAL" and item == material and valid_from <= day < valid_to:
            return cost
    return MASTER_COST[material]


def _market_price(material, day) -> float:
    prices = [
        (ordered, po, price)
        for po, _, status, ordered, m, price, _ in ORDERS
        if m == material and status != "CANCELLED" and ordered <= day
    ]
    return max(prices)[2] if prices else _standard_cost(material, day)


def _fifo_ages(material, warehouse, day) -> list[tuple[float, int]]:
    """The stock on hand allocated to inbound movements from the newest to the oldest."""
    remaining = _stock(material, warehouse, day)
    inbound = sorted(
        (ts, q) for _, _, _, q, _, ts in _moves(material, warehouse, _until(day)) if q > 0
    )
    ages = []
    for ts, qty in reversed(inbound):
        take = min(qty, remaining)
        if take <= 0:
            break
        ages.append((take, (day - ts.date()).days))
        remaining -= take
    return ages


def _abc(values: dict) -> dict:
    """A while the items ranked above hold < 80 % of the total, B while < 95 %, else C."""
    total = sum(v for v in values.values() if v > 0)
    ranked = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    out, above = {}, 0.0
    for key, value in ranked:
        share = above / total if total else 1.0
        out[key] = "A" if value > 0 and share < 0.8 else "B" if value > 0 and share < 0.95 else "C"
        above += value
    return out


MATERIALS = (M1, M2, M3, M4)
PAIRS = sorted({(m, w) for m, w, *_ in MOVES} | {(m, w) for m, w, *_ in POLICIES})


def expected_inventory_value_summary(day):
    rows = {}
    values_at_cost = {}
    for w in (W1, W2, W3):
        items = [
            m
            for m in MATERIALS
            if _exists(m, w, day) and (_stock(m, w, day) != 0 or _issued_30d(m, w, day) != 0)
        ]
        if not items:
            continue
        qty = sum(_stock(m, w, day) for m in items)
        cost = sum(_stock(m, w, day) * _standard_cost(m, day) for m in items)
        market = sum(_stock(m, w, day) * _market_price(m, day) for m in items)
        aged = sum(
            q * _standard_cost(m, day)
            for m in items
            for q, age in _fifo_ages(m, w, day)
            if age > 90
        )
        daily_issue_value = sum(_issued_30d(m, w, day) * _standard_cost(m, day) for m in items) / 30
        values_at_cost[w] = cost
        share = aged / cost if cost > 0 else None
        rows[w] = {
            "factory_id": FACTORY_OF[w],
            "location": CITY[w],
            "quantity_on_hand": qty,
            "value_at_cost": cost,
            "value_at_market": market,
            "average_daily_issue_value": daily_issue_value,
            "inventory_turnover_days": cost / daily_issue_value if daily_issue_value else None,
            "aged_over_90_days_ratio": share,
            "aging_status": None
            if share is None
            else "CURRENT"
            if share < 0.10
            else "AGING"
            if share < 0.30
            else "STALE",
        }
    for w, label in _abc(values_at_cost).items():
        rows[w]["abc_classification"] = label
    return rows


def _last_issue(material, day):
    days = [ts.date() for *_, ts in _moves(material, None, _until(day), kinds=("ISSUE",))]
    return max(days) if days else None


def expected_slow_moving_inventory(day):
    rows = {}
    for m in MATERIALS:
        qty = _stock(m, None, day)
        last = _last_issue(m, day)
        since = (day - last).days if last else None
        if qty <= 0 or (since is not None and since <= 90):
            continue
        rows[m] = {
            "material_name": NAME[m],
            "quantity_on_hand": qty,
            "cost_value": qty * _standard_cost(m, day),
            "last_movement_date": last,
            "days_since_movement": since,
            "recommended_action": "WRITE_OFF"
            if since is None or since > 365
            else "DISCOUNT"
            if since > 180
            else "REVIEW",
        }
    return rows


def expected_inventory_variance_analysis(day):
    grouped = defaultdict(list)
    for m, w, ts, system, counted, cost, cause in COUNTS:
        if _ts(ts).date() == day:
            grouped[(m, w)].append((_ts(ts), system, counted, cost, cause))
    rows = {}
    for key, counts in grouped.items():
        system = sum(c[1] for c in counts)
        counted = sum(c[2] for c in counts)
        causes = [c[4] for c in sorted(counts) if c[4] is not None]
        rows[key] = {
            "counts_taken": len(counts),
            "system_quantity": system,
            "physical_count": counted,
            "variance_quantity": counted - system,
            "variance_ratio": (counted - system) / system if system else None,
            "variance_cost": sum((c[2] - c[1]) * c[3] for c in counts),
            "root_cause": causes[-1] if causes else None,
        }
    return rows


def expected_stock_level_summary(day):
    value = {
        m: sum(
            -q * cost
            for _, _, _, q, cost, ts in _moves(m, kinds=("ISSUE",))
            if day - timedelta(days=364) <= ts.date() <= day
        )
        for m in MATERIALS
    }
    abc = _abc(value)
    policy = {(m, w): (rp, ss) for m, w, rp, ss in POLICIES}
    rows = {}
    for m, w in PAIRS:
        if not _exists(m, w, day):
            continue
        stock = _stock(m, w, day)
        rp, ss = policy.get((m, w), (None, None))
        if not (stock != 0 or _moved_on(m, w, day) or (rp or 0) > 0 or (ss or 0) > 0):
            continue
        usage = _issued_30d(m, w, day) / 30
        if rp is None:
            risk = None
        elif stock <= ss:
            risk = 1.0
        elif stock >= rp:
            risk = 0.0
        else:
            risk = (rp - stock) / (rp - ss)
        rows[(m, w)] = {
            "reorder_point": rp,
            "safety_stock": ss,
            "current_stock": stock,
            "average_daily_issues": usage,
            "days_of_supply": stock / usage if usage > 0 else None,
            "stockout_risk_ratio": risk,
            "abc_class": abc[m],
        }
    return rows


def expected_inventory_aging_report(day):
    rows = {}
    for m in MATERIALS:
        qty = _stock(m, None, day)
        if qty == 0:
            continue
        buckets = [0.0, 0.0, 0.0, 0.0]
        for q, age in _fifo_ages(m, (W1, W2, W3), day):
            buckets[0 if age <= 30 else 1 if age <= 60 else 2 if age <= 90 else 3] += q
        rows[m] = {
            "age_0_30_days_qty": buckets[0],
            "age_31_60_days_qty": buckets[1],
            "age_61_90_days_qty": buckets[2],
            "age_90plus_qty": buckets[3],
            "total_quantity": qty,
            "total_value": qty * _standard_cost(m, day),
        }
    return rows


def _supplier_score(supplier, day):
    scores = [(month, s) for sup, month, s in RATINGS if sup == supplier and month <= day]
    return max(scores)[1] if scores else None


def expected_material_flow_daily(day):
    rows = {}
    for m in MATERIALS:
        for factory in sorted(set(FACTORY_OF.values())):
            warehouses = tuple(
                w
                for w, f in FACTORY_OF.items()
                if f == factory
                and _exists(m, w, day)
                and (
                    _stock(m, w, day) != 0
                    or any(day - timedelta(days=29) <= ts.date() <= day for *_, ts in _moves(m, w))
                )
            )
            if not warehouses:
                continue
            today = [q for _, _, _, q, _, ts in _moves(m, warehouses) if ts.date() == day]
            kinds = [k for _, _, k, _, _, ts in _moves(m, warehouses) if ts.date() == day]
            suppliers = {
                supplier
                for _, supplier, _, _, material, _, receipt in ORDERS
                if material == m
                and receipt
                and factory == FACTORY
                and day - timedelta(days=89) <= _ts(receipt[1]).date() <= day
            }
            scores = [s for s in (_supplier_score(x, day) for x in suppliers) if s is not None]
            rows[(m, factory)] = {
                "receipts_qty": sum(
                    q for q, k in zip(today, kinds, strict=True) if k in ("RECEIPT", "TRANSFER_IN")
                ),
                "issues_qty": sum(-q for q, k in zip(today, kinds, strict=True) if k in OUTBOUND),
                "adjustments_qty": sum(
                    q for q, k in zip(today, kinds, strict=True) if k == "ADJUSTMENT"
                ),
                "ending_balance": _stock(m, warehouses, day),
                "average_daily_usage": _issued_30d(m, warehouses, day) / 30,
                "supplier_performance_rating": sum(scores) / len(scores) if scores else None,
            }
    return rows


GRAIN = {
    "inventory_value_summary": ("warehouse_id",),
    "slow_moving_inventory": ("material_id",),
    "inventory_variance_analysis": ("material_id", "warehouse_id"),
    "stock_level_summary": ("material_id", "warehouse_id"),
    "inventory_aging_report": ("material_id",),
    "material_flow_daily": ("material_id", "factory_id"),
}
EXPECTED = {
    "inventory_value_summary": expected_inventory_value_summary,
    "slow_moving_inventory": expected_slow_moving_inventory,
    "inventory_variance_analysis": expected_inventory_variance_analysis,
    "stock_level_summary": expected_stock_level_summary,
    "inventory_aging_report": expected_inventory_aging_report,
    "material_flow_daily": expected_material_flow_daily,
}


def _published(settings, table, day) -> dict:
    frame = harness.published(settings, "reporting", table, "date = %s", (day,))
    keys = GRAIN[table]
    out = {}
    for row in frame.to_dict("records"):
        key = tuple(int(row[k]) for k in keys)
        out[key[0] if len(key) == 1 else key] = row
    return out


def _assert_rows(actual: dict, expected: dict, table: str, day: date) -> None:
    assert set(actual) == set(expected), (table, day)
    for key, columns in expected.items():
        for column, value in columns.items():
            got = actual[key][column]
            where = (table, day, key, column)
            if value is None:
                assert got is None or pd.isna(got), where
            elif isinstance(value, (str, date)):
                assert got == value, where
            else:
                assert float(got) == pytest.approx(value, abs=0.006), where


# --- the tests --------------------------------------------------------------------------------


def test_scenario_covers_the_edge_cases():
    """Guards the hand-made data: the cases the table tests rely on are really there."""
    assert _stock(M1, W1, DAY) == 350 and _stock(M1, W2, DAY) == 115
    assert {r["aging_status"] for r in expected_inventory_value_summary(DAY).values()} == {
        "CURRENT",
        "AGING",
        "STALE",
    }
    assert {r["recommended_action"] for r in expected_slow_moving_inventory(DAY).values()} == {
        "REVIEW",
        "DISCOUNT",
        "WRITE_OFF",
    }
    assert {r["abc_class"] for r in expected_stock_level_summary(DAY).values()} == {"A", "B", "C"}
    levels = expected_stock_level_summary(DAY)
    assert levels[(M2, W2)]["current_stock"] == 0 and levels[(M2, W2)]["stockout_risk_ratio"] == 1
    assert levels[(M3, W2)]["stockout_risk_ratio"] is None
    assert (M3, W1) not in levels  # a policy without any movement is not an item yet
    assert expected_inventory_variance_analysis(DAY)[(M3, W1)]["variance_ratio"] is None
    assert expected_material_flow_daily(DAY)[(M1, FACTORY)]["supplier_performance_rating"] == 3.75


@pytest.mark.parametrize("table", TABLES)
def test_one_day(plant, table):
    result = harness.materialize(harness.defs(), "reporting", table, day=DAY)
    assert result.success
    _assert_rows(_published(plant, table, DAY), EXPECTED[table](DAY), table, DAY)
    checks = harness.check_results(result)
    assert checks and all(c.passed for c in checks.values()), {
        n: c.description for n, c in checks.items()
    }


@pytest.mark.parametrize("table", TABLES)
def test_a_ranged_run_gives_the_rows_of_single_days(plant, table):
    """One run over three days (a quiet day, DAY, the day after midnight) gives each day the
    values a single-day run gives: the expected rows are computed per day."""
    result = harness.materialize(harness.defs(), "reporting", table, start=DAYS[0], end=DAYS[-1])
    assert result.success
    for day in DAYS:
        _assert_rows(_published(plant, table, day), EXPECTED[table](day), table, day)
    assert all(c.passed for c in harness.check_results(result).values())


def test_dashboard_query_uses_an_index(plant):
    """Five weeks of three warehouses: the query reads one warehouse's 30 days by its index."""
    first = DAY - timedelta(days=34)
    harness.materialize(
        harness.defs(), "reporting", "inventory_value_summary", start=first, end=DAYS[-1]
    )
    query = load_sql("dashboards", "inventory.sql")
    params = {"warehouse_id": W1, "as_of": DAY}
    with mysql.connect(plant.target("reporting")) as conn, conn.cursor() as cur:
        cur.execute("ANALYZE TABLE inventory_value_summary")
        cur.fetchall()
        cur.execute(query, params)
        assert [row[0] for row in cur.fetchall()] == [
            DAY - timedelta(days=n) for n in range(29, -1, -1)
        ]
        cur.execute("EXPLAIN " + query, params)
        names = [d[0] for d in cur.description]
        plan = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    assert len(plan) == 1
    assert plan[0]["type"] != "ALL", plan
    assert plan[0]["key"] == "idx_inventory_value_warehouse_date", plan
