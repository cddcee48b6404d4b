"""The books around the operational postings: the opening balance sheet, month-end entries
(utilities, rent, depreciation, professional-fee accruals and their reversal, interest, loan
repayments, capital expenditure, income tax), budgets per cost centre and internal audit
findings."""

from __future__ import annotations

import numpy as np

from genims_platform.simulator import names
from genims_platform.simulator.core import (
    DAY,
    HOUR,
    MINUTE,
    NULL_INT,
    Chunk,
    happened,
    last_change,
    month_start,
)
from genims_platform.simulator.ledger import Line
from genims_platform.simulator.plant import GL_ACCOUNTS, Plant
from genims_platform.simulator.world import World

TAX_RATE = 0.25
LOAN_RATE = 0.06
DEPRECIATION_RATE = 0.08
FINANCE_POSTER = "finance.controller"


def _cents(x: float) -> int:
    return round(x * 100)


def daily_economics(plant: Plant) -> dict[str, float]:
    """Expected revenue, production value and purchases per day (USD)."""
    P = plant.products
    first = np.full(len(P["product_id"]), plant.horizon.first_day)
    price = plant.prices.value("unit_price", P["product_id"], first)
    cost = plant.product_costs.value("unit_cost", P["product_id"], first)
    material = plant.product_costs.value("material_cost", P["product_id"], first)
    units = P["units_per_day"]
    return {
        "revenue": float(np.sum(units * 0.97 * price * 0.93)),
        "production": float(np.sum(units * cost)),
        "purchases": float(np.sum(units * material)) * 1.05,
    }


def opening(world: World, raw_materials_cents: int) -> None:
    """The opening balance sheet on the first day (assets = liabilities + equity), and the
    settlement of the opening receivables and payables over the first six weeks."""
    plant = world.plant
    eco = daily_economics(plant)
    n_m = len(plant.machines["machine_id"])
    n_f = len(plant.factories["factory_id"])
    machinery = _cents(n_m * 1_200_000 + len(plant.lines["line_id"]) * 2_000_000)
    buildings = _cents(n_f * 30_000_000)
    accumulated = -int((machinery + buildings) * 0.4)
    cash = _cents(eco["revenue"] * 25)
    receivables = _cents(eco["revenue"] * 40)
    finished = _cents(eco["production"] * 15)
    assets = (
        cash + receivables + raw_materials_cents + finished + machinery + buildings + accumulated
    )
    payables = _cents(eco["purchases"] * 35)
    accrued = _cents(eco["revenue"] * 1.0)
    loan = int((machinery + buildings) * 0.3)
    capital = int(assets * 0.25)
    retained = assets - payables - accrued - loan - capital
    a = plant.account
    ts = np.array([world.horizon.start_ts + 1])
    world.ledger.post(
        ts=ts,
        module="GL",
        description="Opening balances",
        posted_by=FINANCE_POSTER,
        approver=plant.manager_of("FINANCE"),
        lines=[
            Line(a("1000"), np.array([cash]), text="Cash at bank"),
            Line(a("1100"), np.array([receivables]), text="Trade receivables"),
            Line(a("1200"), np.array([raw_materials_cents]), text="Raw materials"),
            Line(a("1210"), np.array([finished]), text="Finished goods"),
            Line(a("1500"), np.array([machinery]), text="Plant and machinery at cost"),
            Line(a("1510"), np.array([buildings]), text="Buildings at cost"),
            Line(a("1590"), np.array([accumulated]), text="Accumulated depreciation"),
            Line(a("2000"), np.array([-payables]), text="Trade payables"),
            Line(a("2300"), np.array([-accrued]), text="Accrued expenses"),
            Line(a("2500"), np.array([-loan]), text="Bank loan"),
            Line(a("3000"), np.array([-capital]), text="Share capital"),
            Line(a("3100"), np.array([-retained]), text="Retained earnings"),
        ],
    )
    days = 42
    start = world.horizon.first_day
    t = (start + np.arange(days)) * DAY + 15 * HOUR
    for total, debit, credit, label in (
        (receivables, "1000", "1100", "Collection of opening receivables"),
        (payables, "2000", "1000", "Payment of opening payables"),
        (accrued, "2300", "1000", "Settlement of opening accruals"),
    ):
        part = np.full(days, total // days, dtype=np.int64)
        part[-1] += total - part.sum()
        world.ledger.post(
            ts=t,
            module="TREASURY",
            description=label,
            lines=[Line(a(debit), part), Line(a(credit), -part)],
        )
    world.state["loan"] = loan
    world.state["loan_repayment"] = loan // 120
    world.state["tax_due"] = 0
    world.state["fixed_assets"] = machinery + buildings


def finance_month(world: World, chunk: Chunk) -> None:
    plant = world.plant
    a = plant.account
    rng = world.rng("financial", "month_end", chunk)
    cc = plant.cost_centers
    M = plant.machines
    eco = daily_economics(plant)
    end_day = month_start(chunk.key + 1)
    last = end_day - 1
    month_end = last * DAY + 18 * HOUR
    exec_cc = int(np.flatnonzero(cc["kind"] == "EXECUTIVE")[0]) + 1
    finance_cc = int(np.flatnonzero(cc["kind"] == "FINANCE")[0]) + 1
    # utilities and depreciation, spread over each factory's production cost centres
    for f in plant.factories["factory_id"]:
        lines_f = np.flatnonzero(plant.lines["factory_id"] == f)
        machines = plant.lines["n_machines"][lines_f]
        centres = plant.lines["cost_center_id"][lines_f]
        utilities = machines * _cents(9_000) * rng.uniform(0.85, 1.15)
        depreciation = (
            machines / M["machine_id"].size * world.state["fixed_assets"] * DEPRECIATION_RATE / 12
        )
        for label, acct, credit, amounts in (
            ("Utilities", "6100", "1000", np.rint(utilities).astype(np.int64)),
            ("Depreciation", "6400", "1590", np.rint(depreciation).astype(np.int64)),
        ):
            lines = [
                Line(a(acct), np.array([amt]), int(c), int(f), label)
                for amt, c in zip(amounts, centres, strict=True)
            ]
            lines.append(Line(a(credit), np.array([-int(amounts.sum())]), NULL_INT, int(f)))
            world.ledger.post(
                ts=np.array([month_end]),
                module="GL",
                description=f"{label} {plant.factories['code'][f - 1]}",
                lines=lines,
                posted_by=FINANCE_POSTER,
            )
    rent = np.array([_cents(120_000 * len(plant.factories["factory_id"]))])
    world.ledger.post(
        ts=np.array([month_start(chunk.key) * DAY + 9 * HOUR]),
        module="GL",
        description="Rent and insurance",
        posted_by=FINANCE_POSTER,
        lines=[Line(a("6110"), rent, exec_cc), Line(a("1000"), -rent)],
    )
    # professional fees: accrued at month end, reversed on the 1st, invoiced on the 10th
    fee = np.array([_cents(eco["revenue"] * 0.4 * rng.uniform(0.8, 1.2))])
    reversal_ts = end_day * DAY + 6 * HOUR
    accrual = world.ledger.post(
        ts=np.array([month_end + 30 * MINUTE]),
        module="GL",
        posted_by=FINANCE_POSTER,
        description="Accrued professional fees",
        approver=plant.manager_of("FINANCE"),
        lines=[Line(a("6600"), fee, finance_cc), Line(a("2300"), -fee)],
        reversed_at=happened(np.array([reversal_ts]), world.cutoff),
    )
    world.ledger.post(
        ts=np.array([reversal_ts]),
        module="GL",
        posted_by=FINANCE_POSTER,
        description="Reversal of accrued professional fees",
        reverses=(accrual, np.array([0])),
        lines=[Line(a("2300"), fee), Line(a("6600"), -fee, finance_cc)],
    )
    invoice = np.rint(fee * rng.uniform(0.9, 1.1)).astype(np.int64)
    world.ledger.post(
        ts=np.array([(end_day + 9) * DAY + 11 * HOUR]),
        module="ERP_PURCHASING",
        description="Professional fees invoice",
        lines=[Line(a("6600"), invoice, finance_cc), Line(a("1000"), -invoice)],
    )
    # financing: interest, repayment, capital expenditure (large ones drawn on the loan)
    loan = world.state["loan"]
    interest = np.array([int(loan * LOAN_RATE / 12)])
    repay = np.array([min(world.state["loan_repayment"], loan)])
    world.ledger.post(
        ts=np.array([month_end + HOUR]),
        module="TREASURY",
        description="Loan interest and repayment",
        lines=[
            Line(a("7000"), interest, finance_cc),
            Line(a("2500"), repay),
            Line(a("1000"), -(interest + repay)),
        ],
    )
    loan -= int(repay[0])
    income = np.array([_cents(eco["revenue"] * 0.05)])
    world.ledger.post(
        ts=np.array([month_end + 2 * HOUR]),
        module="TREASURY",
        description="Interest on deposits",
        lines=[Line(a("1000"), income), Line(a("4950"), -income)],
    )
    for f in plant.factories["factory_id"]:
        if rng.random() < 0.3:
            amount = _cents(rng.uniform(0.2, 1.5) * 1_000_000)
            ts = (
                month_start(chunk.key) + int(rng.integers(0, last - month_start(chunk.key) + 1))
            ) * DAY + 14 * HOUR
            world.ledger.post(
                ts=np.array([ts]),
                module="ERP_PURCHASING",
                posted_by=FINANCE_POSTER,
                description=f"Capital expenditure {plant.factories['code'][f - 1]}",
                approver=plant.manager_of("EXECUTIVE"),
                lines=[
                    Line(a("1500"), np.array([amount]), NULL_INT, int(f)),
                    Line(a("1000"), np.array([-amount])),
                ],
            )
            world.state["fixed_assets"] += amount
            if amount > _cents(1_000_000):
                draw = np.array([int(amount * 0.7)])
                world.ledger.post(
                    ts=np.array([ts + HOUR]),
                    module="TREASURY",
                    description="Loan drawdown for capital expenditure",
                    lines=[Line(a("1000"), draw), Line(a("2500"), -draw)],
                )
                loan += int(draw[0])
    world.state["loan"] = loan
    # income tax on the month's profit; paid on the 20th after each quarter
    acc, cc_of_line, amount = world.ledger.balances(chunk.start_ts, end_day * DAY)
    kinds = np.array([g[2] for g in GL_ACCOUNTS])
    subtype = np.array([g[3] for g in GL_ACCOUNTS])
    pnl = np.isin(kinds[acc - 1], ["REVENUE", "EXPENSE"]) & (subtype[acc - 1] != "TAX")
    profit = -int(amount[pnl].sum())
    tax = np.array([max(0, int(profit * TAX_RATE))])
    world.ledger.post(
        ts=np.array([last * DAY + 23 * HOUR + 58 * MINUTE]),
        module="GL",
        description="Income tax provision",
        posted_by=FINANCE_POSTER,
        lines=[Line(a("8000"), tax, finance_cc), Line(a("2200"), -tax)],
    )
    world.state["tax_due"] += int(tax[0])
    # input tax paid to suppliers is reclaimed from the tax office on the 25th of next month
    vat = np.array([int(amount[acc == a("1150")].sum())])
    world.ledger.post(
        ts=np.array([(end_day + 24) * DAY + 10 * HOUR]),
        module="TREASURY",
        description="Input tax refund",
        lines=[Line(a("1000"), vat), Line(a("1150"), -vat)],
    )
    if (chunk.key % 12) % 3 == 2:
        due = np.array([world.state["tax_due"]])
        world.ledger.post(
            ts=np.array([(end_day + 19) * DAY + 10 * HOUR]),
            module="TREASURY",
            description="Income tax payment",
            lines=[Line(a("2200"), due), Line(a("1000"), -due)],
        )
        world.state["tax_due"] = 0
    _budgets(world, chunk, acc, cc_of_line, amount, kinds)
    _audit_findings(world, chunk)


def _budgets(world: World, chunk: Chunk, acc, cc_of_line, amount, kinds) -> None:
    """Budgets are set ten days before the month from the expected spending of each centre."""
    plant = world.plant
    rng = world.rng("financial", "budgets", chunk)
    period = int(plant.period_of(np.array([month_start(chunk.key)]))[0])
    set_ts = (month_start(chunk.key) - 10) * DAY + 11 * HOUR
    if set_ts >= world.cutoff or period > len(plant.periods["period_id"]):
        return
    n_cc = len(plant.cost_centers["cost_center_id"])
    expense = (kinds[acc - 1] == "EXPENSE") & (cc_of_line != NULL_INT)
    spend = np.bincount(cc_of_line[expense] - 1, weights=amount[expense], minlength=n_cc) / 100
    budget = np.where(spend > 0, spend * rng.uniform(0.88, 1.15, n_cc), rng.uniform(1e3, 5e3, n_cc))
    world.add(
        "financial.budgets",
        budget_id=world.take_ids("financial.budgets", n_cc),
        period_id=np.full(n_cc, period),
        cost_center_id=plant.cost_centers["cost_center_id"],
        budget_amount=np.round(budget, -2),
        updated_at=np.full(n_cc, set_ts),
    )


def _audit_findings(world: World, chunk: Chunk) -> None:
    plant = world.plant
    rng = world.rng("financial", "internal_audit_findings", chunk)
    cutoff = world.cutoff
    n = rng.poisson(max(0.4, 2.5 * plant.scale.factor**0.5))
    if not n:
        return
    day = np.sort(chunk.first_day + rng.integers(0, chunk.end_day - chunk.first_day, n))
    area = rng.integers(0, len(names.AUDIT_AREAS), n)
    severity = rng.choice(["LOW", "MEDIUM", "HIGH", "CRITICAL"], n, p=[0.35, 0.4, 0.2, 0.05])
    target = day + rng.integers(30, 120, n)
    done_day = np.where(rng.random(n) < 0.75, day + rng.integers(20, 150, n), NULL_INT)
    done = (done_day != NULL_INT) & (done_day * DAY < cutoff)
    started = (day + rng.integers(3, 20, n)) * DAY
    status = np.where(done, "CLOSED", np.where(started < cutoff, "IN_PROGRESS", "OPEN"))
    keep = day * DAY + 10 * HOUR < cutoff
    world.add(
        "financial.internal_audit_findings",
        finding_id=world.take_ids("financial.internal_audit_findings", int(keep.sum())),
        audit_date=day[keep],
        audit_area=[names.AUDIT_AREAS[i][0] for i in area[keep]],
        finding_description=rng.choice(
            [
                "Segregation of duties not enforced for vendor master changes",
                "Purchase orders approved after goods receipt",
                "User access reviews not performed on schedule",
                "Cycle count variances written off without root cause",
                "Manual journal entries without supporting documents",
                "Training records incomplete for safety-critical roles",
            ],
            n,
        )[keep],
        severity=severity[keep],
        responsible_department=[names.AUDIT_AREAS[i][1] for i in area[keep]],
        corrective_action=np.full(
            int(keep.sum()), "Remediation plan agreed with process owner", dtype=object
        ),
        target_completion_date=target[keep],
        actual_completion_date=np.where(done, done_day, NULL_INT)[keep],
        status=status[keep],
        updated_at=last_change(
            cutoff,
            day * DAY + 10 * HOUR,
            started,
            np.where(done_day != NULL_INT, done_day * DAY + 16 * HOUR, NULL_INT),
        )[keep],
    )
