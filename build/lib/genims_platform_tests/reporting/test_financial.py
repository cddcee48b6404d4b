"""Financial tables against a hand-made ledger and sales book, expected values computed here.

The expectations are written from the KPI definitions in plain Python over the same hand-made
rows (a chart of sixteen accounts, balanced journal entries on a few days of February and March
2025, a reversed entry and its reversal, a day without entries, budgets, shipped orders), never
from the SQL of the transforms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from genims_platform.lib import mysql, pg
from genims_platform.lib.schema import table_schema
from genims_platform_tests import harness

pytestmark = pytest.mark.integration

DASHBOARD = Path(__file__).resolve().parents[2] / "sql" / "dashboards" / "financial.sql"
TABLES = (
    "profit_and_loss_daily",
    "balance_sheet_summary",
    "cash_flow_summary",
    "budget_vs_actual",
    "revenue_by_product",
    "revenue_by_geography",
    "operating_metrics",
    "cost_analysis",
)

D = date
MAR_3, MAR_4, MAR_5 = D(2025, 3, 3), D(2025, 3, 4), D(2025, 3, 5)


@dataclass(frozen=True)
class Account:
    number: int
    name: str
    type: str
    subtype: str
    cash_flow: str
    element: str | None = None
    inventory: bool = False


ACCOUNTS = {
    a.number: a
    for a in (
        Account(1000, "Cash at bank", "ASSET", "CURRENT_ASSET", "CASH"),
        Account(1010, "Petty cash", "ASSET", "CURRENT_ASSET", "CASH"),
        Account(1100, "Accounts receivable", "ASSET", "CURRENT_ASSET", "OPERATING"),
        Account(1200, "Finished goods", "ASSET", "CURRENT_ASSET", "OPERATING", inventory=True),
        Account(1500, "Machinery and equipment", "ASSET", "FIXED_ASSET", "INVESTING"),
        Account(2000, "Accounts payable", "LIABILITY", "CURRENT_LIABILITY", "OPERATING"),
        Account(2500, "Long-term bank loan", "LIABILITY", "LONG_TERM_LIABILITY", "FINANCING"),
        Account(3000, "Share capital", "EQUITY", "EQUITY", "FINANCING"),
        Account(4000, "Product sales", "REVENUE", "REVENUE", "OPERATING"),
        Account(4900, "Interest income", "REVENUE", "OTHER_INCOME", "OPERATING"),
        Account(5000, "Cost of goods sold", "EXPENSE", "COGS", "OPERATING", "MATERIAL"),
        Account(6000, "Salaries and wages", "EXPENSE", "OPEX", "OPERATING", "LABOR"),
        Account(6100, "Plant overhead", "EXPENSE", "OPEX", "OPERATING", "OVERHEAD"),
        Account(6200, "Raw materials consumed", "EXPENSE", "OPEX", "OPERATING", "MATERIAL"),
        Account(7000, "Interest expense", "EXPENSE", "INTEREST", "OPERATING"),
        Account(8000, "Income tax expense", "EXPENSE", "TAX", "OPERATING"),
    )
}

# (period_id, code, first day, last day): a yearly period overlaps the months.
PERIODS = [
    (1, "2025-02", D(2025, 2, 1), D(2025, 2, 28)),
    (2, "2025-03", D(2025, 3, 1), D(2025, 3, 31)),
    (3, "2025-04", D(2025, 4, 1), D(2025, 4, 30)),
    (9, "FY2025", D(2025, 1, 1), D(2025, 12, 31)),
]


@dataclass(frozen=True)
class Entry:
    entry_id: int
    day: date
    lines: tuple  # (account, debit, credit, cost centre)
    status: str = "POSTED"
    reversal_of: int | None = None


ENTRIES = [
    Entry(1, D(2025, 2, 10), ((1000, 100000, 0, None), (3000, 0, 100000, None))),
    Entry(2, D(2025, 2, 15), ((1000, 50000, 0, None), (2500, 0, 50000, None))),
    Entry(3, D(2025, 2, 20), ((1500, 60000, 0, None), (1000, 0, 60000, None))),
    Entry(4, D(2025, 2, 25), ((1200, 20000, 0, None), (2000, 0, 20000, None))),
    Entry(5, D(2025, 2, 27), ((6000, 2800, 0, 10), (1000, 0, 2800, None))),
    Entry(6, D(2025, 3, 1), ((6100, 400, 0, 10), (2000, 0, 400, None))),
    Entry(7, MAR_3, ((1100, 8000, 0, None), (1000, 4000, 0, None), (4000, 0, 12000, None))),
    Entry(8, MAR_3, ((5000, 5000, 0, 10), (1200, 0, 5000, None))),
    Entry(9, MAR_3, ((6000, 3000, 0, 10), (1000, 0, 3000, None))),
    Entry(10, MAR_3, ((6100, 1000, 0, 20), (2000, 0, 1000, None))),
    # Loan repayment with interest: the loan line is the largest, so the cash is FINANCING.
    Entry(11, MAR_3, ((2500, 1000, 0, None), (7000, 150, 0, None), (1000, 0, 1150, None))),
    # A mistaken overhead payment, reversed two days later by an entry of its own.
    Entry(12, MAR_3, ((6100, 700, 0, 20), (1000, 0, 700, None)), status="REVERSED"),
    Entry(13, MAR_5, ((1000, 700, 0, None), (6100, 0, 700, 20)), reversal_of=12),
    Entry(14, MAR_5, ((8000, 900, 0, None), (1000, 0, 900, None))),
    Entry(15, MAR_5, ((1000, 50, 0, None), (4900, 0, 50, None))),
    # A transfer between two cash accounts: cash lines only.
    Entry(16, MAR_5, ((1010, 500, 0, None), (1000, 0, 500, None))),
    Entry(17, MAR_5, ((6200, 2500, 0, 10), (1200, 0, 2500, None))),
    Entry(18, MAR_5, ((1000, 6000, 0, None), (4000, 0, 6000, None))),
    Entry(19, MAR_5, ((5000, 3600, 0, 10), (1200, 0, 3600, None))),
    Entry(20, MAR_5, ((6100, 300, 0, 40), (2000, 0, 300, None))),
    Entry(21, MAR_5, ((1000, 8000, 0, None), (1100, 0, 8000, None))),
    # A machine paid partly in cash, partly on credit: INVESTING (the largest non-cash line).
    Entry(22, MAR_5, ((1500, 10000, 0, None), (1000, 0, 4000, None), (2000, 0, 6000, None))),
    Entry(23, D(2025, 4, 2), ((6000, 1200, 0, 30), (1000, 0, 1200, None))),
]

# (period_id, cost centre, amount)
BUDGETS = [(1, 10, 2700), (2, 10, 15000), (2, 20, 1010), (2, 30, 500), (3, 30, 1000)]
COST_CENTERS = {
    10: ("CC-ASM", "Assembly", 1),
    20: ("CC-MNT", "Maintenance", 1),
    30: ("CC-PNT", "Paint shop", 2),
    40: ("CC-HQ", "Head office", None),
}
# (factory, actual_end, quantity completed); the third ends after midnight, on 4 March.
WORK_ORDERS = [
    (1, "2025-03-03 10:00+00", 100),
    (1, "2025-03-03 23:30+00", 60),
    (1, "2025-03-04 00:30+00", 40),
    (2, "2025-03-03 12:00+00", 50),
    (1, "2025-03-05 15:00+00", 80),
    (1, None, 0),
]

PRODUCTS = {501: "Pump A", 502: "Valve B", 503: "Sensor C"}
# (item type, item id, unit cost, valid from, valid to): product 503 only has a MATERIAL cost.
STANDARD_COSTS = [
    ("PRODUCT", 501, 40, D(2025, 1, 1), D(2025, 3, 4)),
    ("PRODUCT", 501, 45, D(2025, 3, 4), D(9999, 12, 31)),
    ("PRODUCT", 502, 10, D(2025, 1, 1), D(9999, 12, 31)),
    ("MATERIAL", 503, 7, D(2025, 1, 1), D(9999, 12, 31)),
]
CUSTOMERS = {
    900: ("US", "West", "Seattle"),
    901: ("US", "West", "Seattle"),
    902: ("DE", "Bavaria", "Munich"),
    903: ("DE", "Bavaria", "Munich"),
}
# order id: (customer, status, ship date, lines (product, quantity, line amount)); customer 904
# is missing from master data.
ORDERS = {
    1: (900, "SHIPPED", MAR_3, ((501, 10, 1000), (502, 5, 90))),
    2: (901, "DELIVERED", MAR_3, ((501, 2, 200), (503, 1, 50))),
    3: (902, "INVOICED", MAR_3, ((502, 10, 200),)),
    4: (903, "CANCELLED", MAR_3, ((501, 100, 10000),)),
    5: (900, "SHIPPED", MAR_5, ((501, 3, 300),)),
    6: (904, "SHIPPED", MAR_3, ((502, 1, 20),)),
    7: (900, "OPEN", None, ((501, 1, 100),)),
    8: (902, "SHIPPED", MAR_4, ((502, 2, 40),)),
    9: (903, "SHIPPED", MAR_3, ((501, 1, 100),)),
}


def _rows_financial():
    accounts = [
        {
            "account_id": a.number,
            "account_number": str(a.number),
            "account_name": a.name,
            "account_type": a.type,
            "account_subtype": a.subtype,
            "cash_flow_category": a.cash_flow,
            "cost_element": a.element,
            "is_inventory": a.inventory,
        }
        for a in ACCOUNTS.values()
    ]
    periods = [
        {"period_id": i, "period_code": c, "start_date": s, "end_date": e, "status": "OPEN"}
        for i, c, s, e in PERIODS
    ]
    entries, lines = [], []
    for e in ENTRIES:
        entries.append(
            {
                "journal_entry_id": e.entry_id,
                "entry_number": f"JE-{e.entry_id:04d}",
                "entry_date": e.day,
                "period_id": _period_of(e.day)[0],
                "source_module": "GL",
                "status": e.status,
                "posted_by": "test",
                "reversal_of_id": e.reversal_of,
            }
        )
        for number, (account, debit, credit, cc) in enumerate(e.lines, start=1):
            lines.append(
                {
                    "journal_entry_id": e.entry_id,
                    "line_no": number,
                    "account_id": account,
                    "cost_center_id": cc,
                    "debit": debit,
                    "credit": credit,
                }
            )
    budgets = [
        {"period_id": p, "cost_center_id": cc, "budget_amount": amount} for p, cc, amount in BUDGETS
    ]
    return accounts, periods, entries, lines, budgets


@pytest.fixture(scope="module")
def books(contracts):
    """The hand-made source rows in all four source databases, and empty target tables."""
    accounts, periods, entries, lines, budgets = _rows_financial()
    harness.clear(
        contracts,
        "financial",
        ("journal_entry_lines", "journal_entries", "budgets", "accounting_periods", "gl_accounts"),
    )
    for table, rows in (
        ("gl_accounts", accounts),
        ("accounting_periods", periods),
        ("journal_entries", entries),
        ("journal_entry_lines", lines),
        ("budgets", budgets),
    ):
        harness.put(contracts, "financial", table, rows)

    harness.clear(contracts, "master", ("cost_centers", "customers", "products", "factories"))
    harness.put(
        contracts,
        "master",
        "factories",
        [
            {"factory_id": f, "factory_code": f"F{f}", "factory_name": f"Plant {f}"}
            | {"country": "US", "region": "West", "city": "Tacoma"}
            for f in (1, 2)
        ],
    )
    harness.put(
        contracts,
        "master",
        "cost_centers",
        [
            {
                "cost_center_id": cc,
                "cost_center_code": code,
                "cost_center_name": name,
                "cost_center_type": "PRODUCTION",
                "factory_id": factory,
            }
            for cc, (code, name, factory) in COST_CENTERS.items()
        ],
    )
    harness.put(
        contracts,
        "master",
        "products",
        [
            {
                "product_id": p,
                "sku": f"SKU-{p}",
                "product_name": name,
                "category": "C",
                "product_family": "F",
                "list_price": 100,
                "standard_cost": 1,
            }
            for p, name in PRODUCTS.items()
        ],
    )
    harness.put(
        contracts,
        "master",
        "customers",
        [
            {
                "customer_id": c,
                "customer_code": f"C{c}",
                "customer_name": f"Customer {c}",
                "customer_type": "B2B",
                "industry": "Industrial",
                "country": country,
                "region": region,
                "city": city,
            }
            for c, (country, region, city) in CUSTOMERS.items()
        ],
    )

    harness.clear(contracts, "manufacturing", ("work_orders",))
    harness.put(
        contracts,
        "manufacturing",
        "work_orders",
        [
            {
                "work_order_number": f"WO-{n}",
                "product_id": 501,
                "line_id": 1,
                "factory_id": factory,
                "quantity_planned": 100,
                "quantity_completed": quantity,
                "status": "COMPLETED" if end else "IN_PROGRESS",
                "planned_start": "2025-03-01 00:00+00",
                "planned_end": "2025-03-06 00:00+00",
                "actual_start": "2025-03-02 22:00+00",
                "actual_end": end,
            }
            for n, (factory, end, quantity) in enumerate(WORK_ORDERS)
        ],
    )

    harness.clear(contracts, "erp", ("sales_order_lines", "sales_orders", "standard_costs"))
    harness.put(
        contracts,
        "erp",
        "standard_costs",
        [
            {"item_type": t, "item_id": i, "unit_cost": c, "valid_from": f, "valid_to": u}
            for t, i, c, f, u in STANDARD_COSTS
        ],
    )
    for order_id, (customer, status, shipped, order_lines) in ORDERS.items():
        harness.put(
            contracts,
            "erp",
            "sales_orders",
            [
                {
                    "sales_order_id": order_id,
                    "order_number": f"SO-{order_id}",
                    "customer_id": customer,
                    "sales_rep_id": 1,
                    "factory_id": 1,
                    "order_date": D(2025, 3, 1),
                    "requested_delivery_date": D(2025, 3, 10),
                    "promised_delivery_date": D(2025, 3, 10),
                    "ship_date": shipped,
                    "total_amount": sum(amount for _, _, amount in order_lines),
                    "status": status,
                    "payment_status": "UNPAID",
                }
            ],
        )
        harness.put(
            contracts,
            "erp",
            "sales_order_lines",
            [
                {
                    "sales_order_id": order_id,
                    "line_no": n,
                    "product_id": product,
                    "quantity": quantity,
                    "unit_price": amount / quantity,
                    "line_amount": amount,
                }
                for n, (product, quantity, amount) in enumerate(order_lines, start=1)
            ],
        )

    target = contracts.target("reporting")
    with mysql.connect(target) as conn, conn.cursor() as cur:
        for table in TABLES:
            cur.execute(f"DELETE FROM {mysql.quote_ident(table)}")
        conn.commit()
    return contracts


def _period_of(day: date):
    containing = [p for p in PERIODS if p[2] <= day <= p[3]]
    return min(containing, key=lambda p: (p[3] - p[2]).days) if containing else (None, None)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _ledger_lines():
    """Every journal line, whatever the entry's status: (day, entry, line no, account, signed
    debit - credit, cost centre)."""
    for e in ENTRIES:
        for number, (account, debit, credit, cc) in enumerate(e.lines, start=1):
            yield e.day, e.entry_id, number, ACCOUNTS[account], debit - credit, cc


def _pnl(first: date, last: date) -> dict[str, float]:
    """P&L amounts of the days first..last (inclusive), by statement subtype."""
    amounts = defaultdict(float)
    for day, _, _, account, debit_minus_credit, _ in _ledger_lines():
        if first <= day <= last:
            if account.subtype in ("REVENUE", "OTHER_INCOME"):
                amounts[account.subtype] += -debit_minus_credit
            else:
                amounts[account.subtype] += debit_minus_credit
    revenue, cogs = amounts["REVENUE"], amounts["COGS"]
    gross = revenue - cogs
    operating = gross - amounts["OPEX"]
    net = operating + amounts["OTHER_INCOME"] - amounts["INTEREST"] - amounts["TAX"]
    return {
        "revenue": revenue,
        "other_income": amounts["OTHER_INCOME"],
        "cogs": cogs,
        "gross_margin": gross,
        "opex": amounts["OPEX"],
        "operating_income": operating,
        "interest": amounts["INTEREST"],
        "taxes": amounts["TAX"],
        "net_income": net,
    }


def _balance(day: date, keep) -> float:
    """Cumulative debit - credit up to the end of `day` over the accounts `keep` selects."""
    return sum(
        amount for d, _, _, account, amount, _ in _ledger_lines() if d <= day and keep(account)
    )


def expected_profit_and_loss(days):
    out = {}
    for day in days:
        p = _pnl(day, day)
        out[(day,)] = {
            "accounting_period": _period_of(day)[1],
            "revenue_total": p["revenue"],
            "other_income": p["other_income"],
            "cost_of_goods_sold": p["cogs"],
            "gross_margin": p["gross_margin"],
            "operating_expenses": p["opex"],
            "operating_income": p["operating_income"],
            "interest_expense": p["interest"],
            "taxes": p["taxes"],
            "net_income": p["net_income"],
        }
    return out


def expected_balance_sheet(days):
    out = {}
    for day in days:
        assets = _balance(day, lambda a: a.type == "ASSET")
        liabilities = -_balance(day, lambda a: a.type == "LIABILITY")
        contributed = -_balance(day, lambda a: a.type == "EQUITY")
        # Retained earnings = every day's net income so far.
        retained = _pnl(D(2000, 1, 1), day)["net_income"]
        equity = contributed + retained
        out[(day,)] = {
            "accounting_period": _period_of(day)[1],
            "current_assets": _balance(day, lambda a: a.subtype == "CURRENT_ASSET"),
            "fixed_assets": _balance(day, lambda a: a.subtype == "FIXED_ASSET"),
            "total_assets": assets,
            "current_liabilities": -_balance(day, lambda a: a.subtype == "CURRENT_LIABILITY"),
            "long_term_liabilities": -_balance(day, lambda a: a.subtype == "LONG_TERM_LIABILITY"),
            "total_liabilities": liabilities,
            "contributed_equity": contributed,
            "retained_earnings": retained,
            "shareholders_equity": equity,
            "balance_check_difference": assets - liabilities - equity,
        }
    return out


def expected_cash_flow(days):
    out = {}
    for day in days:
        flows = {"OPERATING": 0.0, "INVESTING": 0.0, "FINANCING": 0.0}
        for e in (e for e in ENTRIES if e.day == day):
            signed = [
                (ACCOUNTS[account], debit - credit, n)
                for n, (account, debit, credit, _) in enumerate(e.lines, start=1)
            ]
            cash = sum(amount for account, amount, _ in signed if account.cash_flow == "CASH")
            others = [s for s in signed if s[0].cash_flow != "CASH"]
            category = "OPERATING"
            if others:
                category = max(others, key=lambda s: (abs(s[1]), -s[2]))[0].cash_flow
            flows[category] += cash
        net = sum(flows.values())
        beginning = _balance(day - timedelta(days=1), lambda a: a.cash_flow == "CASH")
        out[(day,)] = {
            "accounting_period": _period_of(day)[1],
            "operating_cash_flow": flows["OPERATING"],
            "investing_cash_flow": flows["INVESTING"],
            "financing_cash_flow": flows["FINANCING"],
            "net_change_in_cash": net,
            "cash_balance_beginning": beginning,
            "cash_balance_ending": beginning + net,
        }
    return out


def expected_budget_vs_actual(months):
    budget, actual = defaultdict(float), defaultdict(float)
    starts = {p[0]: p[2] for p in PERIODS}
    for period_id, cc, amount in BUDGETS:
        budget[(starts[period_id].replace(day=1), cc)] += amount
    for day, _, _, account, amount, cc in _ledger_lines():
        if account.type == "EXPENSE" and cc is not None:
            actual[(day.replace(day=1), cc)] += amount
    out = {}
    for month, cc in set(budget) | set(actual):
        if month not in months:
            continue
        b, a = budget[(month, cc)], actual[(month, cc)]
        ratio = (a - b) / b if b else None
        if abs(a - b) <= 0.02 * b:
            status = "ON_BUDGET"
        else:
            status = "OVER_BUDGET" if a > b else "UNDER_BUDGET"
        out[(month, cc)] = {
            "cost_center_name": COST_CENTERS[cc][1],
            "budget_amount": b,
            "actual_amount": a,
            "variance_amount": a - b,
            "variance_ratio": ratio,
            "status": status,
        }
    return out


def _unit_cost(product: int, day: date) -> float | None:
    valid = [
        c for t, i, c, f, u in STANDARD_COSTS if t == "PRODUCT" and i == product and f <= day < u
    ]
    return valid[-1] if valid else None


def _shipped(days):
    """(day, order id, customer, product, quantity, amount, cost or None) of recognised lines."""
    for order_id, (customer, status, shipped, lines) in ORDERS.items():
        if status != "CANCELLED" and shipped in days:
            for product, quantity, amount in lines:
                unit = _unit_cost(product, shipped)
                cost = None if unit is None else quantity * unit
                yield shipped, order_id, customer, product, quantity, amount, cost


def expected_revenue_by_product(days):
    groups = defaultdict(list)
    for day, _, _, product, quantity, amount, cost in _shipped(days):
        groups[(day, product)].append((quantity, amount, cost))
    out = {}
    for (day, product), lines in groups.items():
        revenue = sum(a for _, a, _ in lines)
        costs = [c for _, _, c in lines]
        cost = None if None in costs else sum(costs)
        margin = None if cost is None else revenue - cost
        out[(day, product)] = {
            "product_name": PRODUCTS[product],
            "units_sold": sum(q for q, _, _ in lines),
            "revenue": revenue,
            "cost_of_goods": cost,
            "gross_margin": margin,
            "margin_ratio": margin / revenue if margin is not None and revenue else None,
        }
    return out


def expected_revenue_by_geography(days):
    groups = defaultdict(list)
    for day, order_id, customer, _, _, amount, cost in _shipped(days):
        location = CUSTOMERS.get(customer, ("UNKNOWN", "UNKNOWN", "UNKNOWN"))
        groups[(day, *location)].append((customer, order_id, amount, cost))
    out = {}
    for key, lines in groups.items():
        revenue = sum(a for _, _, a, _ in lines)
        costs = [c for _, _, _, c in lines]
        cost = None if None in costs else sum(costs)
        out[key] = {
            "total_revenue": revenue,
            "total_cost": cost,
            "total_margin": None if cost is None else revenue - cost,
            "customer_count": len({c for c, _, _, _ in lines}),
            "order_count": len({o for _, o, _, _ in lines}),
        }
    return out


def expected_operating_metrics(days):
    out = {}
    for day in days:
        p = _pnl(day - timedelta(days=29), day)
        assets = _balance(day, lambda a: a.type == "ASSET")
        equity = (
            -_balance(day, lambda a: a.type == "EQUITY") + _pnl(D(2000, 1, 1), day)["net_income"]
        )
        inventory = _balance(day, lambda a: a.inventory)
        revenue, yearly = p["revenue"], 365 / 30

        def ratio(numerator, denominator):
            return numerator / denominator if denominator else None

        out[(day,)] = {
            "revenue_30d": revenue,
            "cost_of_goods_sold_30d": p["cogs"],
            "gross_margin_30d": p["gross_margin"],
            "operating_income_30d": p["operating_income"],
            "net_income_30d": p["net_income"],
            "total_assets": assets,
            "shareholders_equity": equity,
            "inventory_balance": inventory,
            "gross_margin_ratio": ratio(p["gross_margin"], revenue),
            "operating_margin_ratio": ratio(p["operating_income"], revenue),
            "net_margin_ratio": ratio(p["net_income"], revenue),
            "return_on_assets_ratio": ratio(p["net_income"] * yearly, assets),
            "return_on_equity_ratio": ratio(p["net_income"] * yearly, equity),
            "asset_turnover": ratio(revenue * yearly, assets),
            "inventory_turnover": ratio(p["cogs"] * yearly, inventory),
        }
    return out


def _cost_by_element(day: date) -> dict[int, dict[str, float]]:
    costs: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for d, _, _, account, amount, cc in _ledger_lines():
        if d == day and account.type == "EXPENSE" and account.element and cc is not None:
            costs[cc][account.element] += amount
    return costs


def expected_cost_analysis(days):
    out = {}
    for day in days:
        for cc, elements in _cost_by_element(day).items():
            total = sum(elements.values())
            previous = [
                sum(_cost_by_element(day - timedelta(days=n)).get(cc, {}).values())
                for n in range(1, 8)
            ]
            average = sum(previous) / 7
            factory = COST_CENTERS[cc][2]
            units = None
            if factory is not None:
                units = sum(
                    q
                    for f, end, q in WORK_ORDERS
                    if f == factory and end and date.fromisoformat(end[:10]) == day
                )
            out[(day, cc)] = {
                "factory_id": factory,
                "material_cost": elements["MATERIAL"],
                "labor_cost": elements["LABOR"],
                "overhead_cost": elements["OVERHEAD"],
                "total_cost": total,
                "units_produced": units,
                "cost_per_unit": total / units if units else None,
                "previous_7d_average_cost": average,
                "cost_trend_ratio": (total - average) / average if average else None,
            }
    return out


def _published(settings, table, first, last):
    spec = table_schema("reporting", table)
    rows = harness.published(
        settings,
        "reporting",
        table,
        f"{mysql.quote_ident(spec.columns[0].name)} BETWEEN %s AND %s",
        (first, last),
    )
    return {tuple(r[c] for c in spec.grain): r for r in rows.to_dict("records")}


def _assert_rows(table, actual, expected):
    assert set(actual) == set(expected), table
    schema = table_schema("reporting", table)
    for key, columns in expected.items():
        for column, value in columns.items():
            got = actual[key][column]
            where = f"{table} {key} {column}"
            if value is None:
                assert got is None or pd.isna(got), where
            elif isinstance(value, str):
                assert got == value, where
            else:
                scale = schema.column(column).scale or 0
                assert got is not None, where
                assert float(got) == pytest.approx(value, abs=0.51 * 10**-scale), where


def _assert_checks_passed(result):
    checks = harness.check_results(result)
    assert checks, "no data tests ran"
    failed = {name: c.description for name, c in checks.items() if not c.passed}
    assert not failed, failed


@pytest.fixture(scope="module")
def instance():
    """One throwaway Dagster instance for the module's runs (cheaper than one per run)."""
    with dg.instance_for_test() as inst:
        yield inst


def _materialize(instance, table, **window):
    result = harness.materialize(harness.defs(), "reporting", table, instance=instance, **window)
    assert result.success
    _assert_checks_passed(result)
    return result


def _edges_profit_and_loss(rows):
    quiet = rows[(MAR_4,)]  # no postings: a row of zeros, in the month rather than the year
    assert float(quiet["net_income"]) == 0 and quiet["accounting_period"] == "2025-03"


def _edges_balance_sheet(rows):
    assert rows[(MAR_3,)]["total_assets"] == rows[(MAR_4,)]["total_assets"]  # carried over
    assert all(float(r["balance_check_difference"]) == 0 for r in rows.values())


def _edges_cash_flow(rows):
    assert rows[(MAR_4,)]["cash_balance_beginning"] == rows[(MAR_3,)]["cash_balance_ending"]
    assert float(rows[(MAR_3,)]["financing_cash_flow"]) == -1150  # loan line beats interest
    assert float(rows[(MAR_5,)]["investing_cash_flow"]) == -4000  # machine beats payable


def _edges_revenue_by_product(rows):
    assert rows[(MAR_3, 503)]["cost_of_goods"] is None  # a MATERIAL cost is not a product's


def _edges_revenue_by_geography(rows):
    assert (MAR_3, "UNKNOWN", "UNKNOWN", "UNKNOWN") in rows  # customer missing from master


def _edges_operating_metrics(rows):
    assert rows[(MAR_4,)]["inventory_balance"] != rows[(MAR_5,)]["inventory_balance"]


def _edges_cost_analysis(rows):
    assert rows[(MAR_3, 20)]["cost_trend_ratio"] is None  # no costs in the 7 days before
    assert pd.isna(rows[(MAR_5, 40)]["units_produced"])  # a cost centre without a factory


DAILY = {
    "profit_and_loss_daily": (expected_profit_and_loss, _edges_profit_and_loss),
    "balance_sheet_summary": (expected_balance_sheet, _edges_balance_sheet),
    "cash_flow_summary": (expected_cash_flow, _edges_cash_flow),
    "revenue_by_product": (expected_revenue_by_product, _edges_revenue_by_product),
    "revenue_by_geography": (expected_revenue_by_geography, _edges_revenue_by_geography),
    "operating_metrics": (expected_operating_metrics, _edges_operating_metrics),
    "cost_analysis": (expected_cost_analysis, _edges_cost_analysis),
}


@pytest.mark.parametrize("table", list(DAILY))
def test_daily_table_matches_the_kpi_definitions(books, instance, table):
    """One day (5 March: a reversal, a cash transfer, a mixed investing entry), then a ranged
    run over 3-5 March (including 4 March, a day without entries) that must agree with the
    same definitions, so a day's values do not depend on the window."""
    expected, edges = DAILY[table]
    _materialize(instance, table, day=MAR_5)
    _assert_rows(table, _published(books, table, MAR_5, MAR_5), expected([MAR_5]))

    _materialize(instance, table, start=MAR_3, end=MAR_5)
    rows = _published(books, table, MAR_3, MAR_5)
    _assert_rows(table, rows, expected(_days(MAR_3, MAR_5)))
    edges(rows)


def test_operating_metrics_before_any_sale(books, instance):
    """10 February: only the share capital is posted; revenue and inventory are 0, so the
    margins and the inventory turnover are NULL while the returns are 0."""
    day = D(2025, 2, 10)
    _materialize(instance, "operating_metrics", day=day)
    rows = _published(books, "operating_metrics", day, day)
    _assert_rows("operating_metrics", rows, expected_operating_metrics([day]))
    assert rows[(day,)]["gross_margin_ratio"] is None
    assert rows[(day,)]["inventory_turnover"] is None
    assert float(rows[(day,)]["return_on_assets_ratio"]) == 0


def test_budget_vs_actual(books, instance):
    """March: under budget (Assembly), on budget within 2 % (Maintenance), nothing spent
    (Paint shop), spending without a budget (Head office: OVER_BUDGET, no ratio)."""
    march = D(2025, 3, 1)
    _materialize(instance, "budget_vs_actual", day=march)
    rows = _published(books, "budget_vs_actual", march, march)
    _assert_rows("budget_vs_actual", rows, expected_budget_vs_actual([march]))
    assert {cc: r["status"] for (_, cc), r in rows.items()} == {
        10: "UNDER_BUDGET",
        20: "ON_BUDGET",
        30: "UNDER_BUDGET",
        40: "OVER_BUDGET",
    }


def test_budget_vs_actual_ranged_run_equals_single_months(books, instance):
    """February to April in one run: the run is split into 31-day chunks that do not end on
    month boundaries, and every month must still come out once and in full."""
    months = [D(2025, 2, 1), D(2025, 3, 1), D(2025, 4, 1)]
    _materialize(instance, "budget_vs_actual", start=months[0], end=months[-1])
    rows = _published(books, "budget_vs_actual", months[0], months[-1])
    _assert_rows("budget_vs_actual", rows, expected_budget_vs_actual(months))


def test_unbalanced_entry_blocks_the_balance_sheet(books, instance):
    day = D(2025, 6, 2)
    harness.put(
        books,
        "financial",
        "journal_entries",
        [
            {
                "journal_entry_id": 99,
                "entry_number": "JE-0099",
                "entry_date": day,
                "period_id": 9,
                "source_module": "GL",
                "status": "POSTED",
                "posted_by": "test",
            }
        ],
    )
    harness.put(
        books,
        "financial",
        "journal_entry_lines",
        [{"journal_entry_id": 99, "line_no": 1, "account_id": 1000, "debit": 10, "credit": 0}],
    )
    try:
        result = harness.materialize(
            harness.defs(),
            "reporting",
            "balance_sheet_summary",
            day=day,
            instance=instance,
            raise_on_error=False,
        )
        assert not result.success
        check = harness.check_results(result)["values_in_range"]
        assert not check.passed
        offending = check.metadata["offending_rows_json"].value
        assert offending[0]["column"] == "balance_check_difference"
        assert float(offending[0]["value"]) == 10
        assert _published(books, "balance_sheet_summary", day, day) == {}
    finally:
        _delete_entry(books, 99)


def _delete_entry(settings, entry_id: int) -> None:
    with pg.connect(settings.pg_primary, settings.source_db("financial")) as conn:
        conn.execute("DELETE FROM journal_entry_lines WHERE journal_entry_id = %s", (entry_id,))
        conn.execute("DELETE FROM journal_entries WHERE journal_entry_id = %s", (entry_id,))


def test_dashboard_profit_and_loss_of_the_last_30_days_uses_an_index(books, instance):
    _materialize(instance, "profit_and_loss_daily", start=D(2025, 2, 1), end=D(2025, 3, 31))
    query = DASHBOARD.read_text(encoding="utf-8")
    as_of = {"as_of": D(2025, 3, 31)}
    with mysql.connect(books.target("reporting")) as conn, conn.cursor() as cur:
        cur.execute("ANALYZE TABLE profit_and_loss_daily")
        cur.fetchall()
        cur.execute("EXPLAIN " + query, as_of)
        names = [d[0] for d in cur.description]
        plan = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        cur.execute(query, as_of)
        rows = cur.fetchall()
    assert plan[0]["type"] != "ALL" and plan[0]["key"], plan
    days = [row[0] for row in rows]
    assert days == _days(D(2025, 3, 2), D(2025, 3, 31))
    net_income = sum(_pnl(day, day)["net_income"] for day in days)
    assert float(sum(row[-1] for row in rows)) == pytest.approx(net_income, abs=0.01)
