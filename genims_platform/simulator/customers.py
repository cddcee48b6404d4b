"""Customer relationship and after-sales service of one month: leads, opportunities, targets and
forecasts, cases and complaints, GDPR requests (crm); service tickets with SLAs, warranty claims
and field visits (service)."""

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
from genims_platform.simulator.plant import TICKET_PRIORITIES
from genims_platform.simulator.sales import product_mix
from genims_platform.simulator.world import World


def _daily_times(
    world: World,
    rng: np.random.Generator,
    chunk: Chunk,
    per_day: float,
    start_hour: int = 7,
    hours: int = 11,
) -> np.ndarray:
    """Poisson arrivals over the month's days, in office hours, sorted; none at or after the
    cutoff (a history that ends today stops at the current hour)."""
    counts = rng.poisson(per_day, chunk.end_day - chunk.first_day)
    day = np.repeat(chunk.days, counts)
    ts = day * DAY + start_hour * HOUR + rng.integers(0, hours * 3600, len(day))
    ts = np.sort(ts)
    return ts[ts < world.cutoff]


def _customer_pick(world: World, rng: np.random.Generator, ts: np.ndarray) -> np.ndarray:
    C = world.plant.customers
    w = C["weight"] / C["weight"].sum()
    cust = rng.choice(len(w), len(ts), p=w)
    # a customer only talks to us once it exists
    late = C["created_day"][cust] > ts // DAY
    cust[late] = np.argmin(C["created_day"])
    return cust


def crm_month(world: World, chunk: Chunk) -> None:
    _leads_and_opportunities(world, chunk)
    _targets_and_forecasts(world, chunk)
    _cases(world, chunk)
    _gdpr(world, chunk)


def _leads_and_opportunities(world: World, chunk: Chunk) -> None:
    plant = world.plant
    C, R = plant.customers, plant.sales_reps
    rng = world.rng("crm", "leads", chunk)
    cutoff = world.cutoff
    ts = _daily_times(world, rng, chunk, plant.scale.rate(12.0, 0.5))
    n = len(ts)
    known = rng.random(n) < 0.4
    cust = _customer_pick(world, rng, ts)
    reps = R["sales_rep_id"][R["active"]]
    rep = rng.choice(reps, n)
    outcome = rng.random(n)
    qualified_ts = ts + rng.integers(2, 11, n) * DAY
    disq_ts = ts + rng.integers(1, 16, n) * DAY
    converted_ts = qualified_ts + rng.integers(10, 61, n) * DAY
    qualifies = outcome < 0.5
    converts = qualifies & (rng.random(n) < 0.5)
    disqualified = (outcome >= 0.5) & (outcome < 0.8)
    status = np.select(
        [
            converts & (converted_ts < cutoff),
            qualifies & (qualified_ts < cutoff),
            disqualified & (disq_ts < cutoff),
        ],
        ["CONVERTED", "QUALIFIED", "DISQUALIFIED"],
        "NEW",
    )
    customer = np.where(known | (status == "CONVERTED"), C["customer_id"][cust], NULL_INT)
    prefix = np.array(names.COMPANY_PREFIX, dtype=object)[rng.integers(0, 28, n)]
    suffix = np.array(names.COMPANY_SUFFIX, dtype=object)[rng.integers(0, 14, n)]
    company = np.where(
        customer != NULL_INT, np.array(C["name"], dtype=object)[cust], prefix + " " + suffix
    )
    ids = world.take_ids("crm.leads", n)
    world.add(
        "crm.leads",
        lead_id=ids,
        lead_source=rng.choice(names.LEAD_SOURCES, n),
        company_name=company,
        contact_email=[
            f"contact{i}@{c.lower().replace(' ', '-')}.example"
            for i, c in zip(ids, company, strict=True)
        ],
        customer_id=customer,
        sales_rep_id=rep,
        status=status,
        created_at=ts,
        converted_at=np.where(status == "CONVERTED", converted_ts, NULL_INT),
        updated_at=last_change(
            cutoff,
            ts,
            np.where(qualifies, qualified_ts, NULL_INT),
            np.where(disqualified, disq_ts, NULL_INT),
            np.where(converts, converted_ts, NULL_INT),
        ),
    )
    # opportunities: qualified leads and direct opportunities with existing customers
    rng = world.rng("crm", "opportunities", chunk)
    from_lead = np.flatnonzero(qualifies & (qualified_ts < cutoff))
    direct_ts = _daily_times(world, rng, chunk, plant.scale.rate(5.0, 0.3))
    o_ts = np.concatenate([qualified_ts[from_lead], direct_ts])
    o_lead = np.concatenate([ids[from_lead], np.full(len(direct_ts), NULL_INT)])
    d_cust = _customer_pick(world, rng, direct_ts)
    o_cust = np.concatenate([C["customer_id"][cust[from_lead]], C["customer_id"][d_cust]])
    o_rep = np.concatenate([rep[from_lead], C["rep_id"][d_cust]])
    m = len(o_ts)
    order = np.argsort(o_ts, kind="stable")
    o_ts, o_lead, o_cust, o_rep = o_ts[order], o_lead[order], o_cust[order], o_rep[order]
    amount = np.round(rng.lognormal(np.log(45_000), 0.9, m), 2)
    horizon = rng.integers(15, 121, m)
    close_ts = o_ts + horizon * DAY + rng.integers(9, 17, m) * HOUR
    result = rng.random(m)
    closed = close_ts < cutoff
    elapsed = np.clip((cutoff - o_ts) / (horizon * DAY), 0, 1)
    stage = np.where(
        closed & (result < 0.4),
        "CLOSED_WON",
        np.where(
            closed & (result < 0.9),
            "CLOSED_LOST",
            # deals past their expected date without a decision stay in negotiation
            np.where(
                closed | (elapsed > 0.66),
                "NEGOTIATION",
                np.where(elapsed > 0.33, "PROPOSAL", "PROSPECT"),
            ),
        ),
    )
    probability = np.select(
        [
            stage == "CLOSED_WON",
            stage == "CLOSED_LOST",
            stage == "NEGOTIATION",
            stage == "PROPOSAL",
        ],
        [100.0, 0.0, 70.0, 40.0],
        10.0,
    )
    decided = np.isin(stage, ["CLOSED_WON", "CLOSED_LOST"])
    stage_change = o_ts + (np.minimum(elapsed, 0.66) * horizon * DAY).astype(np.int64)
    world.add(
        "crm.opportunities",
        opportunity_id=world.take_ids("crm.opportunities", m),
        lead_id=o_lead,
        customer_id=o_cust,
        sales_rep_id=o_rep,
        amount=amount,
        stage=stage,
        probability=probability,
        created_at=o_ts,
        expected_close_date=(o_ts // DAY + horizon),
        closed_at=np.where(decided, close_ts, NULL_INT),
        updated_at=np.where(decided, close_ts, np.minimum(stage_change, cutoff - 1)),
    )


def _targets_and_forecasts(world: World, chunk: Chunk) -> None:
    plant = world.plant
    C, R, P = plant.customers, plant.sales_reps, plant.products
    rng = world.rng("crm", "sales_targets", chunk)
    cutoff = world.cutoff
    month = month_start(chunk.key)
    n_days = month_start(chunk.key + 1) - month
    prob, _ = product_mix(plant)
    price = plant.prices.value("unit_price", P["product_id"], np.full(len(prob), month))
    revenue_day = float(np.sum(P["units_per_day"] * 0.97 * price)) * 0.93
    share = np.bincount(C["rep_id"], weights=C["weight"], minlength=len(R["sales_rep_id"]) + 1)[1:]
    share = share / share.sum()
    active = np.flatnonzero(R["active"])
    created = (month - rng.integers(3, 10, len(active))) * DAY + 10 * HOUR
    keep = created < cutoff
    world.add(
        "crm.sales_targets",
        target_id=world.take_ids("crm.sales_targets", int(keep.sum())),
        sales_rep_id=R["sales_rep_id"][active][keep],
        period_month=np.full(int(keep.sum()), month),
        target_amount=np.round(
            revenue_day * n_days * share[active] * rng.uniform(0.95, 1.25, len(active)), -2
        )[keep],
        updated_at=created[keep],
    )
    # forecasts for the next month, made on the 20th; the first month also gets its own
    rng = world.rng("crm", "sales_forecasts", chunk)
    months = [chunk.key + 1]
    if chunk.first_day == world.horizon.first_day:
        months.insert(0, chunk.key)
    for key in months:
        start = month_start(key)
        days_in = month_start(key + 1) - start
        made = (month_start(key - 1) + 19) * DAY + 15 * HOUR
        if made >= cutoff:
            continue
        units = np.round(
            P["units_per_day"] * 0.97 * days_in * rng.normal(1.0, 0.12, len(prob)).clip(0.6, 1.5), 0
        )
        unit_price = plant.prices.value("unit_price", P["product_id"], np.full(len(prob), start))
        world.add(
            "crm.sales_forecasts",
            forecast_id=world.take_ids("crm.sales_forecasts", len(units)),
            period_month=np.full(len(units), start),
            product_id=P["product_id"],
            forecast_units=units,
            forecast_revenue=np.round(units * unit_price * 0.93, 2),
            created_at=np.full(len(units), made),
            updated_at=np.full(len(units), made),
        )


def _cases(world: World, chunk: Chunk) -> None:
    plant = world.plant
    C = plant.customers
    rng = world.rng("crm", "cases", chunk)
    cutoff = world.cutoff
    ts = _daily_times(world, rng, chunk, plant.scale.rate(8.0, 0.4), 6, 13)
    n = len(ts)
    cust = _customer_pick(world, rng, ts)
    complaint = rng.random(n) < 0.4
    severity = rng.choice(["LOW", "MEDIUM", "HIGH", "CRITICAL"], n, p=[0.4, 0.35, 0.2, 0.05])
    progress = ts + rng.integers(30, 8 * 60, n) * MINUTE
    resolved = ts + (rng.lognormal(np.log(2.5 * DAY), 1.0, n)).astype(np.int64)
    closed = resolved + rng.integers(1, 4, n) * DAY
    res_h, clo_h = happened(resolved, cutoff), happened(closed, cutoff)
    status = np.where(
        clo_h != NULL_INT,
        "CLOSED",
        np.where(res_h != NULL_INT, "RESOLVED", np.where(progress < cutoff, "IN_PROGRESS", "OPEN")),
    )
    compensation = np.where(
        complaint & (rng.random(n) < 0.25) & (res_h != NULL_INT),
        np.round(rng.lognormal(np.log(800), 1.1, n), 2),
        0.0,
    )
    ids = world.take_ids("crm.cases", n)
    category = rng.choice(names.CASE_CATEGORIES, n)
    world.add(
        "crm.cases",
        case_id=ids,
        case_number=[f"CASE-{i:07d}" for i in ids],
        customer_id=C["customer_id"][cust],
        category=category,
        severity=severity,
        is_complaint=complaint,
        opened_at=ts,
        status=status,
        resolved_at=res_h,
        compensation_amount=compensation,
        description=[
            f"{c.replace('_', ' ').title()} {'complaint' if k else 'enquiry'}"
            for c, k in zip(category, complaint, strict=True)
        ],
        updated_at=last_change(cutoff, ts, progress, resolved, closed),
    )
    paid = np.flatnonzero(compensation > 0)
    service_cc = int(np.flatnonzero(plant.cost_centers["kind"] == "SERVICE")[0]) + 1
    amount = np.rint(compensation[paid] * 100).astype(np.int64)
    world.ledger.post(
        ts=resolved[paid] + HOUR,
        module="CRM",
        doc=ids[paid],
        description="Customer compensation",
        lines=[
            Line(plant.account("6500"), amount, service_cc),
            Line(plant.account("1000"), -amount),
        ],
    )


def _gdpr(world: World, chunk: Chunk) -> None:
    plant = world.plant
    rng = world.rng("crm", "gdpr_requests", chunk)
    cutoff = world.cutoff
    per_day = max(0.4, 3.0 * plant.scale.factor**0.5) / 30.0
    ts = _daily_times(world, rng, chunk, per_day, 0, 24)
    n = len(ts)
    if not n:
        return
    kind = rng.choice(["CUSTOMER_CONTACT", "EMPLOYEE", "SUPPLIER_CONTACT"], n, p=[0.6, 0.3, 0.1])
    subject = np.where(
        kind == "CUSTOMER_CONTACT",
        rng.choice(plant.customers["customer_id"], n),
        np.where(
            kind == "EMPLOYEE",
            rng.choice(plant.employees["employee_id"], n),
            rng.choice(plant.suppliers["supplier_id"], n),
        ),
    )
    due = ts + 30 * DAY
    # a median of two weeks; a few miss the 30-day deadline
    completed = ts + (rng.lognormal(np.log(14 * DAY), 0.5, n)).astype(np.int64)
    started = ts + rng.integers(1, 5, n) * DAY
    done = happened(completed, cutoff)
    denied = rng.random(n) < 0.05
    status = np.where(
        done != NULL_INT,
        np.where(denied, "DENIED", "COMPLETED"),
        np.where(started < cutoff, "IN_PROGRESS", "PENDING"),
    )
    staff = np.concatenate([plant.employees_of("IT"), plant.employees_of("HR")])
    ids = world.take_ids("crm.gdpr_requests", n)
    world.add(
        "crm.gdpr_requests",
        request_id=ids,
        request_number=[f"DSR-{i:05d}" for i in ids],
        data_subject_type=kind,
        data_subject_id=subject,
        request_type=rng.choice(
            ["ACCESS", "DELETE", "PORTABILITY", "RECTIFICATION"], n, p=[0.45, 0.3, 0.1, 0.15]
        ),
        received_at=ts,
        due_at=due,
        status=status,
        completed_at=done,
        fulfilled_by_employee_id=np.where(done != NULL_INT, rng.choice(staff, n), NULL_INT),
        notes=np.where(
            (done != NULL_INT) & (completed > due), "Completed after the statutory deadline", None
        ).astype(object),
        updated_at=last_change(cutoff, ts, started, completed),
    )


def service_month(world: World, chunk: Chunk) -> None:
    """Tickets answer and resolve against SLA targets; about one in ten misses each target."""
    plant = world.plant
    C, P = plant.customers, plant.products
    rng = world.rng("service", "service_tickets", chunk)
    cutoff = world.cutoff
    ts = _daily_times(world, rng, chunk, plant.scale.rate(25.0, 1.0), 0, 24)
    n = len(ts)
    if not n:
        return
    cust = _customer_pick(world, rng, ts)
    prios = list(TICKET_PRIORITIES)
    priority = rng.choice(prios, n, p=[TICKET_PRIORITIES[p][2] for p in prios])
    sla_resp = np.array([TICKET_PRIORITIES[p][0] for p in priority])
    sla_res = np.array([TICKET_PRIORITIES[p][1] for p in priority])
    # median at 45 % of the target with a log-normal spread: ~9 % of tickets breach
    response = ts + (sla_resp * 60 * rng.lognormal(np.log(0.45), 0.6, n)).astype(np.int64)
    resolved = ts + (sla_res * 60 * rng.lognormal(np.log(0.45), 0.6, n)).astype(np.int64)
    resolved = np.maximum(resolved, response + 5 * MINUTE)
    closed = resolved + rng.integers(1, 4, n) * DAY
    resp_h, res_h, clo_h = (happened(x, cutoff) for x in (response, resolved, closed))
    status = np.where(
        clo_h != NULL_INT,
        "CLOSED",
        np.where(
            res_h != NULL_INT, "RESOLVED", np.where(resp_h != NULL_INT, "IN_PROGRESS", "OPEN")
        ),
    )
    breached = (response - ts > sla_resp * 60) | (resolved - ts > sla_res * 60)
    score = np.clip(np.round(rng.normal(4.4, 0.6, n) - 1.3 * breached), 1, 5).astype(np.int64)
    staff = plant.employees_of("SERVICE")
    prob, _ = product_mix(plant)
    product = rng.choice(P["product_id"], n, p=prob)
    category = rng.choice(names.TICKET_CATEGORIES, n, p=[0.15, 0.3, 0.2, 0.15, 0.12, 0.08])
    ids = world.take_ids("service.service_tickets", n)
    world.add(
        "service.service_tickets",
        ticket_id=ids,
        ticket_number=[f"TCK-{i:07d}" for i in ids],
        customer_id=C["customer_id"][cust],
        product_id=np.where(category == "BILLING", NULL_INT, product),
        channel=rng.choice(["EMAIL", "PHONE", "PORTAL", "CHAT"], n, p=[0.35, 0.3, 0.25, 0.1]),
        priority=priority,
        category=category,
        opened_at=ts,
        first_response_at=resp_h,
        resolved_at=res_h,
        closed_at=clo_h,
        sla_response_minutes=sla_resp,
        sla_resolution_minutes=sla_res,
        status=status,
        assigned_employee_id=rng.choice(staff, n),
        satisfaction_score=np.where(clo_h != NULL_INT, score, NULL_INT),
        updated_at=last_change(cutoff, ts, response, resolved, closed),
    )
    _warranty(world, chunk, ids, ts, cust, product, category)
    _visits(world, chunk, ids, ts, cust, priority, category)


def _warranty(world, chunk, ids, ts, cust, product, category) -> None:
    plant = world.plant
    rng = world.rng("service", "warranty_claims", chunk)
    cutoff = world.cutoff
    pick = np.flatnonzero((category == "DEFECT") & (rng.random(len(ids)) < 0.6))
    n = len(pick)
    if not n:
        return
    claim_day = ts[pick] // DAY + rng.integers(0, 6, n)
    price = plant.prices.value("unit_price", product[pick], claim_day)
    amount = np.round(price * rng.integers(1, 4, n) * rng.uniform(0.2, 1.0, n), 2)
    decided = claim_day * DAY + rng.integers(3, 21, n) * DAY + 11 * HOUR
    outcome = rng.random(n)
    approved = outcome < 0.75
    payout = np.where(
        approved & (outcome < 0.72), decided // DAY + rng.integers(10, 41, n), NULL_INT
    )
    submitted_ts = claim_day * DAY + 10 * HOUR
    seen = submitted_ts < cutoff
    dec_h = happened(decided, cutoff) != NULL_INT
    paid_h = (payout != NULL_INT) & (payout * DAY + 12 * HOUR < cutoff)
    status = np.where(
        paid_h, "PAID", np.where(dec_h, np.where(approved, "APPROVED", "REJECTED"), "SUBMITTED")
    )
    settlement = np.where(approved & dec_h, np.round(amount * rng.uniform(0.7, 1.0, n), 2), np.nan)
    manager = plant.manager_of("SERVICE")
    cids = world.take_ids("service.warranty_claims", int(seen.sum()))
    world.add(
        "service.warranty_claims",
        claim_id=cids,
        claim_number=[f"WC-{i:06d}" for i in cids],
        customer_id=plant.customers["customer_id"][cust[pick]][seen],
        product_id=product[pick][seen],
        ticket_id=ids[pick][seen],
        claim_date=claim_day[seen],
        claim_amount=amount[seen],
        status=status[seen],
        approved_at=np.where(approved & dec_h, decided, NULL_INT)[seen],
        approved_by_employee_id=np.where(approved & dec_h, manager, NULL_INT)[seen],
        payout_date=np.where(paid_h, payout, NULL_INT)[seen],
        settlement_amount=settlement[seen],
        failure_description=rng.choice(names.ROOT_CAUSES, n)[seen],
        updated_at=last_change(
            cutoff,
            submitted_ts,
            decided,
            np.where(payout != NULL_INT, payout * DAY + 12 * HOUR, NULL_INT),
        )[seen],
    )
    paid = np.flatnonzero(seen & paid_h)
    service_cc = int(np.flatnonzero(plant.cost_centers["kind"] == "SERVICE")[0]) + 1
    cents = np.rint(settlement[paid] * 100).astype(np.int64)
    world.ledger.post(
        ts=payout[paid] * DAY + 12 * HOUR,
        module="SERVICE",
        doc=ids[pick][paid],
        description="Warranty claim settlement",
        lines=[Line(plant.account("6500"), cents, service_cc), Line(plant.account("1000"), -cents)],
    )


def _visits(world, chunk, ids, ts, cust, priority, category) -> None:
    plant = world.plant
    rng = world.rng("service", "field_service_visits", chunk)
    cutoff = world.cutoff
    onsite = np.isin(category, ["INSTALLATION", "DEFECT", "PERFORMANCE"]) & np.isin(
        priority, ["P1", "P2"]
    )
    pick = np.flatnonzero(onsite & (rng.random(len(ids)) < 0.5))
    n = len(pick)
    if not n:
        return
    E = plant.employees
    techs = E["employee_id"][(E["title"] == "Field Service Engineer") & (E["term_day"] == NULL_INT)]
    scheduled = ts[pick] + rng.integers(4 * 60, 72 * 60, n) * MINUTE
    arrived = scheduled + rng.integers(-30, 90, n) * MINUTE
    completed = arrived + rng.integers(60, 6 * 60, n) * MINUTE
    booked = ts[pick] + rng.integers(30, 180, n) * MINUTE
    seen = booked < cutoff
    world.add(
        "service.field_service_visits",
        visit_id=world.take_ids("service.field_service_visits", int(seen.sum())),
        ticket_id=ids[pick][seen],
        technician_employee_id=rng.choice(techs, n)[seen],
        customer_id=plant.customers["customer_id"][cust[pick]][seen],
        scheduled_at=scheduled[seen],
        arrived_at=happened(arrived, cutoff)[seen],
        completed_at=happened(completed, cutoff)[seen],
        outcome=np.where(
            happened(completed, cutoff) != NULL_INT,
            rng.choice(["FIXED", "PARTS_ORDERED", "FOLLOW_UP_NEEDED"], n, p=[0.7, 0.2, 0.1]),
            None,
        ).astype(object)[seen],
        travel_km=np.round(rng.gamma(2.0, 40.0, n), 1)[seen],
        updated_at=last_change(cutoff, booked, arrived, completed)[seen],
    )


def once(world: World) -> None:
    """Events too rare to draw month by month: privacy incidents and product recalls."""
    plant = world.plant
    h = world.horizon
    rng = world.rng("service", "privacy_incidents")
    cutoff = world.cutoff
    n = max(1, round(6 * plant.scale.factor**0.5 * h.n_days / 365))
    detected = np.sort(h.start_ts + rng.integers(0, cutoff - h.start_ts - 2 * DAY, n))
    contained = detected + rng.integers(2, 48, n) * HOUR
    closed = contained + rng.integers(5, 40, n) * DAY
    severity = rng.choice(["LOW", "MEDIUM", "HIGH", "CRITICAL"], n, p=[0.4, 0.35, 0.2, 0.05])
    notify = np.isin(severity, ["HIGH", "CRITICAL"])
    notified = np.where(notify, detected + rng.integers(12, 80, n) * HOUR, NULL_INT)
    ids = world.take_ids("service.privacy_incidents", n)
    world.add(
        "service.privacy_incidents",
        incident_id=ids,
        incident_number=[f"PRIV-{i:04d}" for i in ids],
        detected_at=detected,
        description=rng.choice(
            [
                "Customer contact list e-mailed to the wrong recipient",
                "Service report with personal data left on a shared drive",
                "Lost laptop of a field service engineer",
                "Misconfigured portal permission exposed another customer's tickets",
            ],
            n,
        ),
        affected_records_count=rng.integers(1, 2500, n),
        severity=severity,
        root_cause=rng.choice(
            ["Human error", "Access control gap", "Lost device", "Software defect"], n
        ),
        remediation=np.where(
            happened(contained, cutoff) != NULL_INT,
            "Access revoked and affected people informed",
            None,
        ).astype(object),
        regulator_notified_at=happened(notified, cutoff),
        status=np.where(
            happened(closed, cutoff) != NULL_INT,
            "CLOSED",
            np.where(happened(contained, cutoff) != NULL_INT, "CONTAINED", "OPEN"),
        ),
        updated_at=last_change(cutoff, detected, contained, notified, closed),
    )
    rng = world.rng("quality", "recalls")
    n = max(1, round(2 * plant.scale.factor * h.n_days / 365))
    initiated = np.sort(h.start_ts + rng.integers(0, cutoff - h.start_ts - DAY, n))
    affected = rng.integers(200, 20_000, n)
    progress = np.clip((cutoff - initiated) / (90.0 * DAY), 0, 1)
    recalled = np.round(affected * progress * rng.uniform(0.6, 0.95, n)).astype(np.int64)
    returned = np.round(recalled * rng.uniform(0.5, 0.9, n)).astype(np.int64)
    destroyed = np.round(returned * rng.uniform(0.2, 0.8, n)).astype(np.int64)
    completed = initiated + 90 * DAY
    done = completed < cutoff
    ids = world.take_ids("quality.recalls", n)
    world.add(
        "quality.recalls",
        recall_id=ids,
        recall_number=[f"RCL-{i:03d}" for i in ids],
        product_id=rng.choice(plant.products["product_id"], n),
        recall_reason=rng.choice(
            [
                "Insulation defect may cause short circuit",
                "Fastener torque below specification",
                "Seal material degrades at high temperature",
            ],
            n,
        ),
        initiated_at=initiated,
        units_affected=affected,
        units_recalled=recalled,
        units_returned=returned,
        units_destroyed=destroyed,
        regulatory_authority=rng.choice(["CPSC", "EU RAPEX", "NHTSA"], n),
        status=np.where(done, "COMPLETED", np.where(progress > 0.05, "IN_PROGRESS", "OPEN")),
        completed_at=np.where(done, completed, NULL_INT),
        updated_at=np.where(done, completed, np.maximum(initiated, cutoff - DAY)),
    )
