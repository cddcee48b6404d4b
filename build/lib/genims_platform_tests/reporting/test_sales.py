"""Sales tables against hand-made data, with expected values computed here from the KPI
definitions (plain Python over the same rows, never the SQL)."""

from __future__ import annotations

import calendar
import math
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pytest

from genims_platform.lib import mysql
from genims_platform.lib.sqlfiles import load_sql
from genims_platform.lib.tables import TableSpec
from genims_platform.reporting.sales import TABLES
from genims_platform_tests import harness

pytestmark = pytest.mark.integration

SPECS: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}
DAY = date(2025, 3, 31)
OPEN_END = date(9999, 12, 31)


def _customer(cid, name, region, terms):
    return {
        "customer_id": cid,
        "customer_code": f"C{cid}",
        "customer_name": name,
        "customer_type": "OEM",
        "industry": "Automotive",
        "country": "DE",
        "region": region,
        "city": "Berlin",
        "payment_terms_days": terms,
    }


def _product(pid, name, category):
    return {
        "product_id": pid,
        "sku": f"P{pid}",
        "product_name": name,
        "category": category,
        "product_family": "F1",
        "list_price": 10,
        "standard_cost": 5,
    }


CUSTOMERS = [
    _customer(1, "Acme", "EMEA", 30),
    _customer(2, "Birch", "APAC", 45),
    _customer(3, "Cobalt", "AMER", 30),  # no CRM account
    _customer(4, "Delta", "EMEA", 60),
    _customer(5, "Ember", "AMER", 30),
]
PRODUCTS = [
    _product(10, "Widget", "Components"),
    _product(20, "Gadget", "Assemblies"),
    _product(30, "Gizmo", "Assemblies"),  # no standard cost
]
# (item_type, item_id, unit_cost, valid_from, valid_to); valid_to is exclusive.
COSTS = [
    ("PRODUCT", 10, 6.0, date(2025, 1, 1), date(2025, 3, 15)),
    ("PRODUCT", 10, 7.0, date(2025, 3, 15), OPEN_END),
    ("PRODUCT", 20, 30.0, date(2025, 1, 1), OPEN_END),
]


def _order(oid, customer, rep, day, lines, status="CONFIRMED", paid=None, delivered=None):
    return {
        "id": oid,
        "customer": customer,
        "rep": rep,
        "day": day,
        "lines": lines,  # (product, quantity, unit_price, line_amount)
        "status": status,
        "payment_status": "PAID" if paid else ("OVERDUE" if status == "DELIVERED" else "UNPAID"),
        "paid": paid,
        "delivered": delivered,
    }


ORDERS = [
    _order(1, 1, 5, DAY, [(10, 10, 12, 120), (20, 2, 50, 100)]),
    _order(2, 1, 5, DAY, [(30, 5, 20, 100)]),
    _order(3, 2, 6, DAY, [(10, 4, 11, 44)], status="CANCELLED"),
    _order(4, 3, 5, DAY, [(20, 1, 0, 0)]),  # a free sample: zero order value
    _order(5, 2, 6, DAY, [(10, 3, 10, 30)], "DELIVERED", paid=DAY, delivered=DAY),
    _order(6, 1, 5, date(2025, 3, 3), [(10, 5, 12, 60)], "INVOICED", paid=date(2025, 3, 20)),
    _order(7, 1, 5, date(2025, 2, 10), [(20, 1, 55, 55)], "INVOICED", paid=date(2025, 3, 25)),
    _order(8, 2, 6, date(2025, 1, 20), [(10, 2, 10, 20)], "INVOICED", paid=date(2025, 1, 25)),
    _order(9, 4, 6, date(2025, 1, 10), [(20, 2, 45, 90)], "INVOICED", paid=date(2025, 3, 15)),
    _order(10, 5, 5, date(2025, 2, 20), [(10, 8, 11, 88)], "DELIVERED"),
    # Ordered last year, paid this year: a payment of the year, not a sale of it.
    _order(11, 2, 6, date(2024, 12, 28), [(10, 1, 10, 10)], "INVOICED", paid=date(2025, 1, 5)),
    # The day before product 10's standard cost changes.
    _order(12, 1, 5, date(2025, 3, 14), [(10, 2, 12, 24)]),
]
# (customer, product, quantity, return_date, status)
RETURNS = [
    (1, 10, 3, date(2025, 3, 15), "RECEIVED"),
    (1, 10, 2, date(2025, 3, 16), "REJECTED"),
    (2, 10, 1, date(2024, 12, 20), "REFUNDED"),
    (5, 10, 4, date(2025, 3, 1), "RECEIVED"),
]
# (account_id, customer_id, segment, nps_score, churned_at)
ACCOUNTS = [
    (1, 1, "STRATEGIC", 40, None),
    (2, 2, "SMB", -10, None),
    (3, 4, "SMB", None, datetime(2025, 3, 10, 8, tzinfo=UTC)),
    (4, 5, "ENTERPRISE", 20, None),
    (5, 6, "SMB", 0, datetime(2025, 1, 15, tzinfo=UTC)),
    (6, 7, "STRATEGIC", 10, datetime(2025, 3, 31, 23, tzinfo=UTC)),  # churns late on DAY
]
# (sales_rep_id, rep_name, commission_rate)
REPS = [(5, "Dana", 0.05), (6, "Eli", 0.03), (7, "Fay", 0.04)]
TARGETS = [(5, date(2025, 3, 1), 31000.0), (5, date(2025, 2, 1), 28000.0)]
# (sales_rep_id, stage, closed_at)
OPPORTUNITIES = [
    (5, "CLOSED_WON", datetime(2025, 3, 20, 10, tzinfo=UTC)),
    (5, "CLOSED_LOST", datetime(2025, 3, 25, 16, tzinfo=UTC)),
    (5, "CLOSED_WON", datetime(2025, 3, 1, 23, 30, tzinfo=UTC)),  # 31 days before DAY
    (5, "PROPOSAL", None),
    (7, "CLOSED_LOST", datetime(2025, 3, 30, 9, tzinfo=UTC)),
]
# (period_month, product_id, forecast_units, forecast_revenue)
FORECASTS = [
    (date(2025, 3, 1), 10, 100.0, 1200.0),
    (date(2025, 3, 1), 20, 0.0, 0.0),  # a zero forecast: no variance, no accuracy
    (date(2025, 3, 1), 40, 50.0, 500.0),  # forecast, but nothing ordered
    (date(2025, 2, 1), 10, 30.0, 300.0),
]


def _total(order) -> float:
    return float(sum(line[3] for line in order["lines"]))


def _units(order) -> float:
    return float(sum(line[1] for line in order["lines"]))


def _sales(first: date, last: date) -> list[dict]:
    """Non-cancelled orders placed between two days, both included."""
    return [o for o in ORDERS if o["status"] != "CANCELLED" and first <= o["day"] <= last]


def _standard_cost(item_type: str, item_id: int, day: date) -> float | None:
    valid = [c for c in COSTS if c[0] == item_type and c[1] == item_id and c[3] <= day < c[4]]
    return max(valid, key=lambda c: c[3])[2] if valid else None


def _div(numerator, denominator):
    if numerator is None or denominator in (None, 0):
        return None
    return numerator / denominator


def _growth(current: float, previous: float):
    return _div(current - previous, previous)


@pytest.fixture(scope="module")
def sales_sources(contracts):
    harness.clear(contracts, "master", ("customers", "products"))
    harness.clear(contracts, "erp", ("sales_orders", "sales_order_lines", "standard_costs"))
    harness.clear(
        contracts,
        "crm",
        ("customer_accounts", "opportunities", "sales_targets", "sales_reps", "sales_forecasts"),
    )
    harness.clear(contracts, "service", ("returns",))
    harness.put(contracts, "master", "customers", CUSTOMERS)
    harness.put(contracts, "master", "products", PRODUCTS)
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
        "sales_orders",
        [
            {
                "sales_order_id": o["id"],
                "order_number": f"SO-{o['id']}",
                "customer_id": o["customer"],
                "sales_rep_id": o["rep"],
                "factory_id": 100,
                "order_date": o["day"],
                "requested_delivery_date": o["day"] + timedelta(days=14),
                "promised_delivery_date": o["day"] + timedelta(days=14),
                "delivery_date": o["delivered"],
                "total_amount": _total(o),
                "status": o["status"],
                "payment_status": o["payment_status"],
                "paid_date": o["paid"],
            }
            for o in ORDERS
        ],
    )
    harness.put(
        contracts,
        "erp",
        "sales_order_lines",
        [
            {
                "sales_order_id": o["id"],
                "line_no": number,
                "product_id": product,
                "quantity": quantity,
                "unit_price": price,
                "line_amount": amount,
            }
            for o in ORDERS
            for number, (product, quantity, price, amount) in enumerate(o["lines"], start=1)
        ],
    )
    harness.put(
        contracts,
        "crm",
        "customer_accounts",
        [
            {"account_id": a, "customer_id": c, "segment": s, "nps_score": n, "churned_at": ch}
            for a, c, s, n, ch in ACCOUNTS
        ],
    )
    harness.put(
        contracts,
        "crm",
        "sales_reps",
        [
            {
                "sales_rep_id": r,
                "employee_id": 1000 + r,
                "rep_name": name,
                "region": "EMEA",
                "team": "North",
                "commission_rate": rate,
            }
            for r, name, rate in REPS
        ],
    )
    harness.put(
        contracts,
        "crm",
        "sales_targets",
        [{"sales_rep_id": r, "period_month": m, "target_amount": t} for r, m, t in TARGETS],
    )
    harness.put(
        contracts,
        "crm",
        "opportunities",
        [
            {
                "customer_id": 1,
                "sales_rep_id": r,
                "amount": 1000,
                "stage": stage,
                "probability": 50,
                "created_at": datetime(2025, 1, 1, tzinfo=UTC),
                "expected_close_date": date(2025, 3, 31),
                "closed_at": closed,
            }
            for r, stage, closed in OPPORTUNITIES
        ],
    )
    harness.put(
        contracts,
        "crm",
        "sales_forecasts",
        [
            {"period_month": m, "product_id": p, "forecast_units": u, "forecast_revenue": r}
            for m, p, u, r in FORECASTS
        ],
    )
    harness.put(
        contracts,
        "service",
        "returns",
        [
            {
                "rma_number": f"RMA-{n}",
                "customer_id": c,
                "product_id": p,
                "quantity": q,
                "reason": "DEFECT",
                "return_date": d,
                "status": s,
            }
            for n, (c, p, q, d, s) in enumerate(RETURNS)
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


def _rows(settings, table: str, keys: tuple[str, ...], first: date, last: date) -> dict:
    column = SPECS[table].date_column
    frame = harness.published(
        settings, "reporting", table, f"{column} BETWEEN %s AND %s", (first, last)
    )
    rows = [
        {name: None if _is_null(value) else value for name, value in row.items()}
        for row in frame.to_dict("records")
    ]
    return {tuple(row[k] for k in keys): row for row in rows}


def _is_null(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


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


def test_sales_order_summary(dagster_run, sales_sources):
    days = (date(2025, 3, 14), DAY)  # before and after product 10's standard cost changes
    rows = {}
    for day in days:
        _materialize(dagster_run, "sales_order_summary", day=day)
        rows.update(_rows(sales_sources, "sales_order_summary", ("sales_order_id",), day, day))
    in_window = [o for o in ORDERS if o["day"] in days]
    assert set(rows) == {(o["id"],) for o in in_window}  # cancelled orders keep their row
    regions = {c["customer_id"]: c["region"] for c in CUSTOMERS}
    for o in in_window:
        costs = [_standard_cost("PRODUCT", p, o["day"]) for p, *_ in o["lines"]]
        margin = None
        if None not in costs:
            margin = _total(o) - sum(line[1] * c for line, c in zip(o["lines"], costs, strict=True))
        _assert_row(
            "sales_order_summary",
            rows[(o["id"],)],
            {
                "date": o["day"],
                "order_date": o["day"],
                "order_number": f"SO-{o['id']}",
                "delivery_date": o["delivered"],
                "customer_id": o["customer"],
                "salesperson_id": o["rep"],
                "factory_id": 100,
                "region": regions[o["customer"]],
                "total_amount": _total(o),
                "margin_amount": margin,
                "margin_ratio": _div(margin, _total(o)),
                "status": o["status"],
                "payment_status": o["payment_status"],
            },
        )
    # Product 10 cost 6.00 before 15 March and 7.00 from then on.
    assert float(rows[(12,)]["margin_amount"]) == pytest.approx(24 - 2 * 6.0)
    assert float(rows[(1,)]["margin_amount"]) == pytest.approx(220 - 10 * 7.0 - 2 * 30.0)
    assert rows[(2,)]["margin_amount"] is None  # product 30 has no standard cost
    assert rows[(4,)]["margin_ratio"] is None  # zero order value


def test_sales_by_product(dagster_run, sales_sources):
    _materialize(dagster_run, "sales_by_product", day=DAY)
    rows = _rows(sales_sources, "sales_by_product", ("product_id",), DAY, DAY)
    products = {p["product_id"]: p for p in PRODUCTS}

    def lines(day):
        return [(o["day"], *line) for o in _sales(day, day) for line in o["lines"]]

    sold = {line[1] for line in lines(DAY)}
    assert set(rows) == {(p,) for p in sold}
    for product in sold:
        mine = [line for line in lines(DAY) if line[1] == product]
        units = sum(line[2] for line in mine)
        revenue = sum(line[4] for line in mine)
        cost = _standard_cost("PRODUCT", product, DAY)
        margin = None if cost is None else revenue - units * cost
        month_ago = DAY - timedelta(days=28)
        earlier = sum(line[4] for line in lines(month_ago) if line[1] == product)
        _assert_row(
            "sales_by_product",
            rows[(product,)],
            {
                "product_name": products[product]["product_name"],
                "category": products[product]["category"],
                "units_sold": units,
                "revenue_total": revenue,
                "average_price": revenue / units,
                "margin_amount": margin,
                "margin_ratio": _div(margin, revenue),
                "trend_vs_month_ago_ratio": _growth(revenue, earlier) if earlier else None,
            },
        )
    assert float(rows[(10,)]["trend_vs_month_ago_ratio"]) == pytest.approx((150 - 60) / 60)
    assert rows[(20,)]["trend_vs_month_ago_ratio"] is None  # nothing sold 28 days earlier


def _expected_customer_day(customer: int, day: date) -> dict:
    today = [o for o in _sales(day, day) if o["customer"] == customer]
    last_30 = [o for o in _sales(day - timedelta(days=29), day) if o["customer"] == customer]
    before = [
        o
        for o in _sales(day - timedelta(days=59), day - timedelta(days=30))
        if o["customer"] == customer
    ]
    revenue = sum(_total(o) for o in today)
    return {
        "total_orders": len(today),
        "total_revenue": revenue,
        "average_order_value": revenue / len(today),
        "order_frequency": len(last_30),
        "growth_rate_ratio": _growth(
            sum(_total(o) for o in last_30), sum(_total(o) for o in before)
        ),
    }


def test_sales_by_customer(dagster_run, sales_sources):
    _materialize(dagster_run, "sales_by_customer", day=DAY)
    rows = _rows(sales_sources, "sales_by_customer", ("customer_id",), DAY, DAY)
    names = {c["customer_id"]: c["customer_name"] for c in CUSTOMERS}
    buyers = {o["customer"] for o in _sales(DAY, DAY)}
    assert set(rows) == {(c,) for c in buyers}  # customer 2's cancelled order is not a sale
    for customer in buyers:
        expected = _expected_customer_day(customer, DAY)
        _assert_row(
            "sales_by_customer",
            rows[(customer,)],
            {"customer_name": names[customer], **expected},
        )
    assert float(rows[(1,)]["growth_rate_ratio"]) == pytest.approx((404 - 55) / 55)
    assert rows[(2,)]["growth_rate_ratio"] is None  # nothing in the 30 days before


def test_sales_forecast_actuals(dagster_run, sales_sources):
    month = date(2025, 3, 1)
    _materialize(dagster_run, "sales_forecast_actuals", day=month)
    rows = _rows(sales_sources, "sales_forecast_actuals", ("product_id",), month, month)
    march = _sales(month, date(2025, 3, 31))
    actual_units: dict[int, float] = {}
    actual_revenue: dict[int, float] = {}
    for o in march:
        for product, quantity, _price, amount in o["lines"]:
            actual_units[product] = actual_units.get(product, 0) + quantity
            actual_revenue[product] = actual_revenue.get(product, 0) + amount
    forecasts = {p: (u, r) for m, p, u, r in FORECASTS if m == month}
    products = set(actual_units) | set(forecasts)
    assert set(rows) == {(p,) for p in products}
    for product in products:
        f_units, f_revenue = forecasts.get(product, (None, None))
        units, revenue = actual_units.get(product, 0.0), actual_revenue.get(product, 0.0)
        accuracy = None
        if f_units:
            accuracy = max(0.0, 1 - abs(units - f_units) / f_units)
        _assert_row(
            "sales_forecast_actuals",
            rows[(product,)],
            {
                "forecast_units": f_units,
                "forecast_revenue": f_revenue,
                "actual_units": units,
                "actual_revenue": revenue,
                "variance_ratio": _div(
                    None if f_revenue is None else revenue - f_revenue, f_revenue
                ),
                "accuracy_metric": accuracy,
            },
        )
    assert float(rows[(40,)]["accuracy_metric"]) == 0  # forecast, nothing sold
    assert rows[(30,)]["forecast_units"] is None  # sold, never forecast


def test_sales_forecast_actuals_backfill_keeps_months_whole(dagster_run, sales_sources):
    """A ranged backfill over several months gives each month the rows of its own run."""
    table, first, march = "sales_forecast_actuals", date(2025, 1, 1), date(2025, 3, 1)
    keys = SPECS[table].schema.grain
    _materialize(dagster_run, table, quiet_day=True, start=first, end=march)
    ranged = _rows(sales_sources, table, keys, first, march)
    single = {}
    for month in (first, date(2025, 2, 1), march):
        _materialize(dagster_run, table, day=month, quiet_day=True)
        single.update(_rows(sales_sources, table, keys, month, month))
    assert ranged == single
    assert {key[0] for key in ranged} == {first, date(2025, 2, 1), march}


def test_sales_rep_performance(dagster_run, sales_sources):
    _materialize(dagster_run, "sales_rep_performance", day=DAY)
    rows = _rows(sales_sources, "sales_rep_performance", ("salesperson_id",), DAY, DAY)
    reps = {r: (name, rate) for r, name, rate in REPS}
    sellers = {o["rep"] for o in _sales(DAY, DAY)}
    assert set(rows) == {(r,) for r in sellers}
    days_in_month = calendar.monthrange(DAY.year, DAY.month)[1]
    since = DAY - timedelta(days=29)
    for rep in sellers:
        mine = [o for o in _sales(DAY, DAY) if o["rep"] == rep]
        total = sum(_total(o) for o in mine)
        target = next((t for r, m, t in TARGETS if r == rep and m == DAY.replace(day=1)), None)
        daily_target = None if target is None else target / days_in_month
        closed = [
            stage
            for r, stage, at in OPPORTUNITIES
            if r == rep and at is not None and since <= at.date() <= DAY
        ]
        won, lost = closed.count("CLOSED_WON"), closed.count("CLOSED_LOST")
        _assert_row(
            "sales_rep_performance",
            rows[(rep,)],
            {
                "rep_name": reps[rep][0],
                "order_count": len(mine),
                "total_sales": total,
                "daily_target_amount": daily_target,
                "target_vs_actual_ratio": _div(total, daily_target),
                "commission_rate": reps[rep][1],
                "commission_amount": total * reps[rep][1],
                "customer_count": len({o["customer"] for o in mine}),
                "win_rate_ratio": _div(won, won + lost),
            },
        )
    assert float(rows[(5,)]["win_rate_ratio"]) == pytest.approx(0.5)
    assert rows[(6,)]["target_vs_actual_ratio"] is None  # no target this month
    assert rows[(6,)]["win_rate_ratio"] is None  # nothing closed


def _expected_segments(day: date) -> dict[str, dict]:
    segment_of = {c: s for _a, c, s, _n, _ch in ACCOUNTS}
    out: dict[str, dict] = {}
    for segment in {s for *_x, s, _n, _ch in ACCOUNTS} | {"UNASSIGNED"}:
        members = [
            c for c in {o["customer"] for o in ORDERS} if segment_of.get(c, "UNASSIGNED") == segment
        ]

        def revenue(first, last, members=members):
            return sum(_total(o) for o in _sales(first, last) if o["customer"] in members)

        today = revenue(day, day)
        growth = _growth(
            revenue(day - timedelta(days=29), day),
            revenue(day - timedelta(days=59), day - timedelta(days=30)),
        )
        if segment == "UNASSIGNED":
            # Only there while a customer without a CRM account ordered in the last 60 days.
            if any(o["customer"] in members for o in _sales(day - timedelta(days=59), day)):
                out[segment] = {
                    "customer_count": None,
                    "total_revenue": today,
                    "average_revenue_per_customer": None,
                    "churn_rate_ratio": None,
                    "growth_rate_ratio": growth,
                }
            continue
        accounts = [ch for _a, _c, s, _n, ch in ACCOUNTS if s == segment]
        active = [ch for ch in accounts if ch is None or ch.date() > day]
        base = [ch for ch in accounts if ch is None or ch.date() > day - timedelta(days=30)]
        churned = [
            ch for ch in accounts if ch is not None and day - timedelta(days=29) <= ch.date() <= day
        ]
        out[segment] = {
            "customer_count": len(active),
            "total_revenue": today,
            "average_revenue_per_customer": _div(today, len(active)),
            "churn_rate_ratio": _div(len(churned), len(base)),
            "growth_rate_ratio": growth,
        }
    return out


def test_customer_segment_analysis_over_three_days(dagster_run, sales_sources):
    first = DAY - timedelta(days=2)  # 29 and 30 March have no orders at all
    _materialize(dagster_run, "customer_segment_analysis", start=first, end=DAY)
    rows = _rows(sales_sources, "customer_segment_analysis", ("date", "segment"), first, DAY)
    expected = {
        (first + timedelta(days=n), segment): values
        for n in range(3)
        for segment, values in _expected_segments(first + timedelta(days=n)).items()
    }
    assert set(rows) == set(expected)
    for key, values in expected.items():
        _assert_row("customer_segment_analysis", rows[key], values)
    assert float(rows[(DAY, "STRATEGIC")]["churn_rate_ratio"]) == pytest.approx(0.5)
    assert rows[(DAY, "STRATEGIC")]["customer_count"] == 1  # the account churned late on DAY
    assert float(rows[(DAY, "ENTERPRISE")]["growth_rate_ratio"]) == pytest.approx(-1)


def _expected_customer_performance(customer: int, day: date) -> dict:
    year_start = day.replace(month=1, day=1)
    ytd = [o for o in _sales(year_start, day) if o["customer"] == customer]
    paid = [
        o
        for o in ORDERS
        if o["customer"] == customer
        and o["status"] != "CANCELLED"
        and o["paid"] is not None
        and year_start <= o["paid"] <= day
    ]
    terms = next(c["payment_terms_days"] for c in CUSTOMERS if c["customer_id"] == customer)
    pay_days = [(o["paid"] - o["day"]).days for o in paid]
    returned = sum(
        q
        for c, _p, q, d, s in RETURNS
        if c == customer and s != "REJECTED" and year_start <= d <= day
    )
    ordered = sum(_units(o) for o in ytd)
    last = max(o["day"] for o in ytd)
    silent = (day - last).days
    return {
        "customer_name": next(
            c["customer_name"] for c in CUSTOMERS if c["customer_id"] == customer
        ),
        "ytd_sales": sum(_total(o) for o in ytd),
        "ytd_orders": len(ytd),
        "ytd_units_ordered": ordered,
        "ytd_units_returned": returned,
        "return_rate_ratio": _div(returned, ordered),
        "last_order_date": last,
        "churn_risk": "HIGH" if silent >= 60 else "MEDIUM" if silent >= 30 else "LOW",
        "payment_terms_days": terms,
        "ytd_paid_orders": len(paid),
        "payment_days_average": _div(sum(pay_days), len(pay_days)),
        "payment_reliability_ratio": _div(sum(d <= terms for d in pay_days), len(pay_days)),
        "nps_score": next((n for _a, c, _s, n, _ch in ACCOUNTS if c == customer), None),
    }


def test_customer_performance(dagster_run, sales_sources):
    _materialize(dagster_run, "customer_performance", day=DAY)
    rows = _rows(sales_sources, "customer_performance", ("customer_id",), DAY, DAY)
    customers = {o["customer"] for o in _sales(DAY.replace(month=1, day=1), DAY)}
    assert set(rows) == {(c,) for c in customers}
    for customer in customers:
        _assert_row(
            "customer_performance",
            rows[(customer,)],
            _expected_customer_performance(customer, DAY),
        )
    assert {c: rows[(c,)]["churn_risk"] for c in (1, 4, 5)} == {
        1: "LOW",
        4: "HIGH",
        5: "MEDIUM",
    }
    assert rows[(3,)]["payment_reliability_ratio"] is None  # nothing paid yet


@pytest.mark.parametrize(
    "table",
    ["sales_by_product", "sales_by_customer", "sales_rep_performance", "customer_performance"],
)
def test_a_ranged_run_gives_the_rows_of_single_days(dagster_run, sales_sources, table):
    """Lookbacks are explicit: a day's values do not depend on the window it is built in."""
    first = DAY - timedelta(days=2)
    keys = SPECS[table].schema.grain
    _materialize(dagster_run, table, start=first, end=DAY)
    ranged = _rows(sales_sources, table, keys, first, DAY)
    single = {}
    for n in range(3):
        day = first + timedelta(days=n)
        _materialize(dagster_run, table, day=day, quiet_day=True)
        single.update(_rows(sales_sources, table, keys, day, day))
    assert ranged == single


def test_sales_dashboard_query_uses_an_index(dagster_run, sales_sources):
    _materialize(dagster_run, "sales_by_customer", start=date(2025, 3, 1), end=DAY)
    target = sales_sources.target("reporting")
    with mysql.connect(target) as conn, conn.cursor() as cur:
        cur.execute("ANALYZE TABLE sales_by_customer")
        cur.fetchall()
        cur.execute(
            "EXPLAIN " + load_sql("dashboards", "sales.sql"), {"customer_id": 1, "as_of": DAY}
        )
        names = [d[0] for d in cur.description]
        plan = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        cur.execute(load_sql("dashboards", "sales.sql"), {"customer_id": 1, "as_of": DAY})
        answer = cur.fetchall()
    assert [row["type"] for row in plan] != ["ALL"], plan
    assert plan[0]["key"] is not None, plan
    assert [row[0] for row in answer] == sorted(
        {o["day"] for o in _sales(DAY - timedelta(days=29), DAY) if o["customer"] == 1},
        reverse=True,
    )
