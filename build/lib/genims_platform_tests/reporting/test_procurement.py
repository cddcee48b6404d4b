"""Procurement tables against hand-made data, with expected values computed here from the KPI
definitions (plain Python over the same rows, never the SQL)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import dagster as dg
import pytest

from genims_platform.lib import mysql
from genims_platform.lib.sqlfiles import load_sql
from genims_platform.lib.tables import TableSpec
from genims_platform.reporting.procurement import TABLES
from genims_platform_tests import harness

pytestmark = pytest.mark.integration

SPECS: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}
ORDER_DAY = date(2025, 3, 10)
OPEN_END = date(9999, 12, 31)

# (supplier_id, name, payment_terms_days)
SUPPLIERS = [(1, "Steelco", 45), (2, "Plastix", 30)]
COST_CENTERS = [(7, "CC-PROD")]  # purchase order 2 charges cost centre 8, unknown to master
# (item_type, item_id, unit_cost, valid_from, valid_to); material 200 has no standard cost.
COSTS = [
    ("MATERIAL", 100, 2.00, date(2025, 1, 1), ORDER_DAY),
    ("MATERIAL", 100, 2.50, ORDER_DAY, OPEN_END),
]


def _po(pid, supplier, cost_center, day, due, status, payment, lines):
    return {
        "id": pid,
        "supplier": supplier,
        "buyer": 900 + pid,
        "cost_center": cost_center,
        "day": day,
        "due": due,
        "status": status,
        "payment_status": payment,
        # (line id, material, quantity, unit_price, line_amount, line due date)
        "lines": lines,
    }


POS = [
    _po(
        1,
        1,
        7,
        ORDER_DAY,
        date(2025, 3, 20),
        "RECEIVED",
        "PAID",
        [
            (11, 100, 400, 2.40, 960, date(2025, 3, 17)),
            (12, 100, 50, 2.80, 140, date(2025, 3, 25)),
        ],
    ),
    _po(2, 2, 8, ORDER_DAY, date(2025, 3, 15), "OPEN", "UNPAID", [(21, 200, 100, 3, 300, None)]),
    _po(
        3, 1, 7, ORDER_DAY, date(2025, 3, 20), "CANCELLED", "UNPAID", [(31, 100, 100, 5, 500, None)]
    ),
    _po(
        4,
        2,
        7,
        date(2025, 3, 5),
        date(2025, 3, 18),
        "PARTIALLY_RECEIVED",
        "PARTIAL",
        [(41, 200, 10, 3, 30, None), (42, 100, 20, 1.90, 38, None)],
    ),
]
# (receipt id, line id, received_at, received, accepted)
RECEIPTS = [
    (1, 11, datetime(2025, 3, 18, 10, tzinfo=UTC), 250, 240),
    (2, 11, datetime(2025, 3, 22, 23, 30, tzinfo=UTC), 150, 150),
    (3, 12, datetime(2025, 3, 19, 8, tzinfo=UTC), 60, 60),  # 10 more than ordered
    (4, 41, datetime(2025, 3, 18, 12, tzinfo=UTC), 0, 0),  # nothing received
    # 23:30 in UTC-2 on the 18th is the 19th in UTC: the day of a receipt is its UTC day.
    (5, 42, datetime(2025, 3, 18, 23, 30, tzinfo=timezone(timedelta(hours=-2))), 20, 18),
]
# (supplier_id, period_month, quality, price_competitiveness, responsiveness)
RATINGS = [(1, date(2025, 3, 1), 4.5, 3.8, 4.2), (2, date(2025, 2, 1), 3.0, 3.5, 2.5)]


def _line_due(po, line) -> date:
    return line[5] or po["due"]


LINES = {line[0]: (po, line) for po in POS for line in po["lines"]}


def _receipt_day(receipt) -> date:
    return receipt[2].astimezone(UTC).date()


def _standard_cost(item_id: int, day: date) -> float | None:
    valid = [c for c in COSTS if c[1] == item_id and c[3] <= day < c[4]]
    return max(valid, key=lambda c: c[3])[2] if valid else None


def _total(po) -> float:
    return float(sum(line[4] for line in po["lines"]))


def _div(numerator, denominator):
    if numerator is None or denominator in (None, 0):
        return None
    return numerator / denominator


@pytest.fixture(scope="module")
def procurement_sources(contracts):
    harness.clear(contracts, "master", ("suppliers", "cost_centers"))
    harness.clear(
        contracts,
        "erp",
        ("purchase_orders", "purchase_order_lines", "goods_receipts", "standard_costs"),
    )
    harness.clear(contracts, "supplier", ("supplier_ratings",))
    harness.put(
        contracts,
        "master",
        "suppliers",
        [
            {
                "supplier_id": s,
                "supplier_code": f"S{s}",
                "supplier_name": name,
                "supplier_category": "RAW",
                "country": "DE",
                "region": "EMEA",
                "city": "Hamburg",
                "payment_terms_days": terms,
            }
            for s, name, terms in SUPPLIERS
        ],
    )
    harness.put(
        contracts,
        "master",
        "cost_centers",
        [
            {
                "cost_center_id": c,
                "cost_center_code": code,
                "cost_center_name": code,
                "cost_center_type": "PRODUCTION",
            }
            for c, code in COST_CENTERS
        ],
    )
    harness.put(
        contracts,
        "erp",
        "standard_costs",
        [
            {"item_type": t, "item_id": i, "unit_cost": c, "valid_from": f, "valid_to": v}
            for t, i, c, f, v in COSTS
        ],
    )
    harness.put(
        contracts,
        "erp",
        "purchase_orders",
        [
            {
                "purchase_order_id": po["id"],
                "po_number": f"PO-{po['id']}",
                "supplier_id": po["supplier"],
                "buyer_employee_id": po["buyer"],
                "cost_center_id": po["cost_center"],
                "factory_id": 100,
                "order_date": po["day"],
                "due_date": po["due"],
                "total_amount": _total(po),
                "status": po["status"],
                "payment_status": po["payment_status"],
            }
            for po in POS
        ],
    )
    harness.put(
        contracts,
        "erp",
        "purchase_order_lines",
        [
            {
                "po_line_id": line[0],
                "purchase_order_id": po["id"],
                "line_no": number,
                "material_id": line[1],
                "quantity": line[2],
                "unit_price": line[3],
                "line_amount": line[4],
                "due_date": _line_due(po, line),
            }
            for po in POS
            for number, line in enumerate(po["lines"], start=1)
        ],
    )
    harness.put(
        contracts,
        "erp",
        "goods_receipts",
        [
            {
                "gr_number": f"GR-{g}",
                "purchase_order_id": LINES[line][0]["id"],
                "po_line_id": line,
                "material_id": LINES[line][1][1],
                "warehouse_id": 1,
                "received_at": at,
                "quantity_received": received,
                "quantity_accepted": accepted,
                "quantity_rejected": received - accepted,
            }
            for g, line, at, received, accepted in RECEIPTS
        ],
    )
    harness.put(
        contracts,
        "supplier",
        "supplier_ratings",
        [
            {
                "supplier_id": s,
                "period_month": m,
                "quality_rating": q,
                "delivery_rating": 4,
                "price_competitiveness": p,
                "responsiveness_rating": r,
                "overall_score": 4,
            }
            for s, m, q, p, r in RATINGS
        ],
    )
    return contracts


@pytest.fixture(scope="module")
def dagster_run():
    """One set of definitions and one Dagster instance for the module's many small runs."""
    definitions = harness.defs()
    with dg.instance_for_test() as instance:
        yield definitions, instance


def _materialize(run, table: str, *, quiet_day: bool = False, **when):
    """Materialise and require every data test to pass (on a quiet day, only the blocking
    ones: the non-blocking has_rows warning is expected there)."""
    definitions, instance = run
    result = harness.materialize(definitions, "reporting", table, instance=instance, **when)
    assert result.success
    checks = harness.check_results(result)
    assert checks, "the table declares data tests"
    required = {
        n: c
        for n, c in checks.items()
        if not quiet_day or c.severity == dg.AssetCheckSeverity.ERROR
    }
    assert all(c.passed for c in required.values()), {n: c.description for n, c in checks.items()}
    return result


def _is_null(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _rows(settings, table: str, keys: tuple[str, ...], first: date, last: date) -> dict:
    frame = harness.published(settings, "reporting", table, "date BETWEEN %s AND %s", (first, last))
    rows = [
        {name: None if _is_null(value) else value for name, value in row.items()}
        for row in frame.to_dict("records")
    ]
    return {tuple(row[k] for k in keys): row for row in rows}


def _assert_row(table: str, actual: dict, expected: dict) -> None:
    """Every expected column equals the published one, to the column's decimal places."""
    schema = SPECS[table].schema
    for name, value in expected.items():
        got = actual[name]
        if value is None:
            assert _is_null(got), (name, got)
        elif isinstance(value, (str, date)):
            assert got == value, (name, got, value)
        else:
            assert not _is_null(got), (name, got, value)
            scale = schema.column(name).scale or 0
            assert float(got) == pytest.approx(value, abs=1.01 * 10**-scale), name


def test_purchase_order_summary(dagster_run, procurement_sources):
    _materialize(dagster_run, "purchase_order_summary", day=ORDER_DAY)
    rows = _rows(
        procurement_sources, "purchase_order_summary", ("purchase_order_id",), ORDER_DAY, ORDER_DAY
    )
    placed = [po for po in POS if po["day"] == ORDER_DAY]
    assert set(rows) == {(po["id"],) for po in placed}  # the cancelled order keeps its row
    cost_centers = dict(COST_CENTERS)
    for po in placed:
        ordered = sum(line[2] for line in po["lines"])
        received = on_time = 0.0
        for line in po["lines"]:
            mine = [r for r in RECEIPTS if r[1] == line[0]]
            received += sum(r[3] for r in mine)
            punctual = sum(r[3] for r in mine if _receipt_day(r) <= po["due"])
            on_time += min(punctual, line[2])
        costs = [_standard_cost(line[1], po["day"]) for line in po["lines"]]
        standard = None
        if None not in costs:
            standard = sum(line[2] * c for line, c in zip(po["lines"], costs, strict=True))
        _assert_row(
            "purchase_order_summary",
            rows[(po["id"],)],
            {
                "po_number": f"PO-{po['id']}",
                "order_date": po["day"],
                "due_date": po["due"],
                "supplier_id": po["supplier"],
                "buyer_id": po["buyer"],
                "cost_center_id": po["cost_center"],
                "cost_center": cost_centers.get(po["cost_center"]),
                "total_amount": _total(po),
                "status": po["status"],
                "payment_status": po["payment_status"],
                "quantity_ordered": ordered,
                "quantity_received": received,
                "on_time_delivery_ratio": _div(on_time, ordered) if received else None,
                "cost_variance_ratio": _div(
                    None if standard is None else _total(po) - standard, standard
                ),
            },
        )
    # Line 12 was over-delivered on time: only the 50 ordered count.
    assert float(rows[(1,)]["on_time_delivery_ratio"]) == pytest.approx((250 + 50) / 450)
    assert rows[(2,)]["on_time_delivery_ratio"] is None  # nothing received yet
    assert rows[(2,)]["cost_variance_ratio"] is None  # material 200 has no standard cost


def _expected_supplier_day(day: date) -> dict[int, dict]:
    out: dict[int, dict] = {}
    names = {s: (name, terms) for s, name, terms in SUPPLIERS}
    placed = [po for po in POS if po["day"] == day and po["status"] != "CANCELLED"]
    received = [r for r in RECEIPTS if _receipt_day(r) == day]
    suppliers = {po["supplier"] for po in placed} | {LINES[r[1]][0]["supplier"] for r in received}
    for supplier in suppliers:
        mine = [r for r in received if LINES[r[1]][0]["supplier"] == supplier]
        punctual = [r for r in mine if _receipt_day(r) <= LINES[r[1]][0]["due"]]
        rating = next((x for x in RATINGS if x[0] == supplier and x[1] == day.replace(day=1)), None)
        out[supplier] = {
            "supplier_name": names[supplier][0],
            "payment_terms": names[supplier][1],
            "total_orders": sum(po["supplier"] == supplier for po in placed),
            "total_spent": sum(_total(po) for po in placed if po["supplier"] == supplier),
            "deliveries_received": len(mine),
            "on_time_delivery_ratio": _div(len(punctual), len(mine)),
            "quality_rating": rating and rating[2],
            "price_competitiveness": rating and rating[3],
            "responsiveness_rating": rating and rating[4],
        }
    return out


def test_supplier_performance_summary(dagster_run, procurement_sources):
    # The order day, a day with receipts only, and a day with a late receipt.
    for day in (ORDER_DAY, date(2025, 3, 18), date(2025, 3, 19)):
        _materialize(dagster_run, "supplier_performance_summary", day=day)
        rows = _rows(
            procurement_sources, "supplier_performance_summary", ("supplier_id",), day, day
        )
        expected = _expected_supplier_day(day)
        assert set(rows) == {(s,) for s in expected}, day
        for supplier, values in expected.items():
            _assert_row("supplier_performance_summary", rows[(supplier,)], values)
    assert rows[(2,)]["on_time_delivery_ratio"] == 0  # received after the order's due date
    assert rows[(2,)]["quality_rating"] is None  # rated in February only


def test_purchase_price_variance(dagster_run, procurement_sources):
    for day in (date(2025, 3, 5), ORDER_DAY):  # standard cost of material 100 changes on 10 March
        _materialize(dagster_run, "purchase_price_variance", day=day)
        rows = _rows(
            procurement_sources,
            "purchase_price_variance",
            ("material_id", "supplier_id"),
            day,
            day,
        )
        lines = [
            (po["supplier"], line)
            for po in POS
            if po["day"] == day and po["status"] != "CANCELLED"
            for line in po["lines"]
        ]
        groups = {(line[1], supplier) for supplier, line in lines}
        assert set(rows) == groups
        for material, supplier in groups:
            mine = [line for s, line in lines if (line[1], s) == (material, supplier)]
            quantity = sum(line[2] for line in mine)
            actual = sum(line[2] * line[3] for line in mine) / quantity
            standard = _standard_cost(material, day)
            _assert_row(
                "purchase_price_variance",
                rows[(material, supplier)],
                {
                    "standard_price": standard,
                    "actual_price": actual,
                    "unit_price_variance_ratio": _div(
                        None if standard is None else actual - standard, standard
                    ),
                    "quantity_ordered": quantity,
                    "total_variance_amount": None
                    if standard is None
                    else sum((line[3] - standard) * line[2] for line in mine),
                },
            )
    assert float(rows[(100, 1)]["total_variance_amount"]) == pytest.approx(
        (2.40 - 2.50) * 400 + (2.80 - 2.50) * 50
    )


def test_delivery_performance_summary_over_a_range(dagster_run, procurement_sources):
    first, last = date(2025, 3, 18), date(2025, 3, 22)
    _materialize(dagster_run, "delivery_performance_summary", start=first, end=last)
    rows = _rows(
        procurement_sources, "delivery_performance_summary", ("date", "supplier_id"), first, last
    )
    expected = {}
    for receipt in RECEIPTS:
        po, line = LINES[receipt[1]]
        expected.setdefault((_receipt_day(receipt), po["supplier"]), []).append(
            (receipt, _line_due(po, line))
        )
    assert set(rows) == set(expected)
    for key, receipts in expected.items():
        late = [(_receipt_day(r) - due).days for r, due in receipts if _receipt_day(r) > due]
        received = sum(r[3] for r, _due in receipts)
        accepted = sum(r[4] for r, _due in receipts)
        _assert_row(
            "delivery_performance_summary",
            rows[key],
            {
                "total_deliveries": len(receipts),
                "on_time_deliveries": len(receipts) - len(late),
                "on_time_delivery_ratio": (len(receipts) - len(late)) / len(receipts),
                "average_days_late": _div(sum(late), len(late)),
                "quantity_received": received,
                "quantity_accepted": accepted,
                "quality_acceptance_rate_ratio": _div(accepted, received),
            },
        )
    # Received on 18 March against the line's due date of 17 March (the order's is 20 March).
    assert float(rows[(date(2025, 3, 18), 1)]["average_days_late"]) == 1
    assert rows[(date(2025, 3, 18), 2)]["quality_acceptance_rate_ratio"] is None


def test_a_ranged_run_gives_the_rows_of_single_days(dagster_run, procurement_sources):
    table, first = "supplier_performance_summary", date(2025, 3, 17)
    keys = SPECS[table].schema.grain
    _materialize(dagster_run, table, start=first, end=first + timedelta(days=2))
    ranged = _rows(procurement_sources, table, keys, first, first + timedelta(days=2))
    single = {}
    for n in range(3):
        day = first + timedelta(days=n)
        _materialize(dagster_run, table, day=day, quiet_day=True)
        single.update(_rows(procurement_sources, table, keys, day, day))
    assert ranged == single


def test_procurement_dashboard_query_uses_an_index(dagster_run, procurement_sources):
    _materialize(
        dagster_run, "delivery_performance_summary", start=date(2025, 3, 1), end=date(2025, 3, 31)
    )
    query = load_sql("dashboards", "procurement.sql")
    params = {"supplier_id": 1, "as_of": date(2025, 3, 31)}
    with mysql.connect(procurement_sources.target("reporting")) as conn, conn.cursor() as cur:
        cur.execute("ANALYZE TABLE delivery_performance_summary")
        cur.fetchall()
        cur.execute("EXPLAIN " + query, params)
        names = [d[0] for d in cur.description]
        plan = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        cur.execute(query, params)
        answer = cur.fetchall()
    assert [row["type"] for row in plan] != ["ALL"], plan
    assert plan[0]["key"] is not None, plan
    assert [row[0] for row in answer] == sorted(
        {_receipt_day(r) for r in RECEIPTS if LINES[r[1]][0]["supplier"] == 1}, reverse=True
    )
