"""Supplier management: contracts and milestones, certifications and audits (drawn once for the
whole history), and per month RFQs, portal access and the supplier scorecards."""

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
from genims_platform.simulator.world import World


def once(world: World) -> None:
    plant = world.plant
    S = plant.suppliers
    h = world.horizon
    cutoff = world.cutoff
    cutoff_day = cutoff // DAY
    rng = world.rng("supplier", "contracts")
    n_s = len(S["supplier_id"])
    k = rng.integers(1, 3, n_s)
    sup = np.repeat(S["supplier_id"], k)
    n = len(sup)
    start = h.first_day + rng.integers(-900, h.n_days, n)
    end = start + rng.integers(365, 3 * 365, n)
    created = (start - rng.integers(10, 60, n)) * DAY + 10 * HOUR
    terminated = rng.random(n) < 0.05
    term_day = np.minimum(start + rng.integers(60, 700, n), end)
    status = np.where(
        start > cutoff_day,
        "DRAFT",
        np.where(
            terminated & (term_day < cutoff_day),
            "TERMINATED",
            np.where(end < cutoff_day, "EXPIRED", "ACTIVE"),
        ),
    )
    keep = created < cutoff
    order = np.flatnonzero(keep)[np.argsort(created[keep], kind="stable")]
    ids = world.take_ids("supplier.contracts", len(order))
    buyers = plant.employees_of("PROCUREMENT")
    ctype = rng.choice(["FRAMEWORK", "SUPPLY_AGREEMENT", "SERVICE_LEVEL", "CONSIGNMENT"], n)
    world.add(
        "supplier.contracts",
        contract_id=ids,
        contract_number=[f"CTR-{i:05d}" for i in ids],
        supplier_id=sup[order],
        contract_type=ctype[order],
        start_date=start[order],
        end_date=end[order],
        total_value=np.round(rng.lognormal(np.log(400_000), 0.9, n), -2)[order],
        currency=["USD"] * len(order),
        status=status[order],
        owner_employee_id=rng.choice(buyers, n)[order],
        updated_at=last_change(
            cutoff,
            created,
            start * DAY + 9 * HOUR,
            np.where(status == "TERMINATED", term_day * DAY + 16 * HOUR, NULL_INT),
            np.where(status == "EXPIRED", end * DAY + HOUR, NULL_INT),
        )[order],
    )
    # milestones spread over each contract's term
    m_count = rng.integers(2, 7, len(order))
    c = np.repeat(np.arange(len(order)), m_count)
    m = len(c)
    c_start, c_end = start[order][c], end[order][c]
    planned = c_start + (rng.random(m) * (c_end - c_start)).astype(np.int64)
    fate = rng.random(m)
    actual = np.where(
        fate < 0.72,
        planned - rng.integers(0, 5, m),
        np.where(fate < 0.9, planned + rng.integers(3, 40, m), NULL_INT),
    )
    done = (actual != NULL_INT) & (actual < cutoff_day)
    status = np.where(
        done & (actual <= planned),
        "COMPLETE",
        np.where(done, "LATE", np.where(planned < cutoff_day - 14, "MISSED", "PENDING")),
    )
    mc = created[order][c]
    world.add(
        "supplier.contract_milestones",
        milestone_id=world.take_ids("supplier.contract_milestones", m),
        contract_id=ids[c],
        milestone_description=rng.choice(
            [
                "First article approval",
                "Volume ramp-up",
                "Price review",
                "Quality audit",
                "Annual review",
                "Capacity expansion",
            ],
            m,
        ),
        planned_date=planned,
        actual_date=np.where(done, actual, NULL_INT),
        status=status,
        responsible_party=rng.choice(["SUPPLIER", "BUYER", "JOINT"], m, p=[0.6, 0.25, 0.15]),
        completion_evidence=np.where(done, "Signed acceptance protocol", None).astype(object),
        updated_at=last_change(
            cutoff,
            mc,
            np.where(done, actual * DAY + 15 * HOUR, NULL_INT),
            np.where(status == "MISSED", (planned + 14) * DAY, NULL_INT),
        ),
    )
    rng = world.rng("supplier", "certifications")
    k = rng.integers(1, 4, n_s)
    sup = np.repeat(S["supplier_id"], k)
    n = len(sup)
    cert = rng.integers(0, len(names.CERTIFICATIONS), n)
    issued = h.first_day - rng.integers(30, 1000, n)
    expiry = issued + 3 * 365
    suspended = rng.random(n) < 0.03
    world.add(
        "supplier.certifications",
        certification_id=world.take_ids("supplier.certifications", n),
        supplier_id=sup,
        certification_type=[names.CERTIFICATIONS[i][0] for i in cert],
        certifying_body=[names.CERTIFICATIONS[i][1] for i in cert],
        issued_date=issued,
        expiry_date=expiry,
        status=np.where(suspended, "SUSPENDED", np.where(expiry < cutoff_day, "EXPIRED", "VALID")),
        updated_at=np.where(expiry < cutoff_day, expiry * DAY + HOUR, issued * DAY + 11 * HOUR),
    )
    rng = world.rng("supplier", "supplier_audits")
    first_audit = h.first_day - rng.integers(0, 365, n_s)
    per = (cutoff_day - first_audit) // 365 + 1
    sup = np.repeat(S["supplier_id"], per)
    n = len(sup)
    nth = np.arange(n) - np.repeat(np.cumsum(per) - per, per)
    day = np.repeat(first_audit, per) + nth * 365 + rng.integers(-20, 20, n)
    ok = day < cutoff_day
    sup, day = sup[ok], day[ok]
    n = len(sup)
    score = np.clip(np.round(rng.normal(82, 9, n), 1), 30, 100)
    result = np.where(score >= 80, "PASS", np.where(score >= 65, "CONDITIONAL", "FAIL"))
    order = np.argsort(day, kind="stable")
    world.add(
        "supplier.supplier_audits",
        supplier_audit_id=world.take_ids("supplier.supplier_audits", n),
        supplier_id=sup[order],
        audit_date=day[order],
        auditor=rng.choice(["Internal quality team", "TUV SUD", "SGS", "Bureau Veritas"], n)[order],
        score=score[order],
        findings_count=np.maximum(0, np.round((100 - score) / 6 + rng.normal(0, 1, n))).astype(
            np.int64
        )[order],
        result=result[order],
        next_audit_due=(day + np.where(result == "PASS", 365, 180))[order],
        updated_at=(day * DAY + 16 * HOUR + rng.integers(0, 3, n) * DAY)[order].clip(
            max=cutoff - 1
        ),
    )


def supplier_month(world: World, chunk: Chunk, stats) -> None:
    _rfqs(world, chunk)
    _portal(world, chunk)
    _ratings(world, chunk, stats)


def _rfqs(world: World, chunk: Chunk) -> None:
    plant = world.plant
    S = plant.suppliers
    rng = world.rng("supplier", "rfqs", chunk)
    cutoff = world.cutoff
    n_days = chunk.end_day - chunk.first_day
    count = rng.poisson(plant.scale.rate(0.6, 0.1) * n_days)
    if not count:
        return
    issued = np.sort(chunk.start_ts + rng.integers(0, n_days * DAY, count))
    issued = issued // DAY * DAY + 9 * HOUR + rng.integers(0, 8 * 60, count) * MINUTE
    material = rng.choice(plant.materials["material_id"], count)
    rows: dict[str, list] = {k: [] for k in ("rfq", "mat", "sup", "qty", "issued")}
    rfq_no = world.ids["supplier.rfq_numbers"]
    for i in range(count):
        pool = plant.material_suppliers["suppliers"][material[i] - 1]
        cat = S["category"][pool[0] - 1]
        others = S["supplier_id"][S["category"] == cat]
        invited = np.unique(np.concatenate([pool, rng.choice(others, min(2, len(others)))]))
        number = rfq_no.one()
        qty = float(rng.integers(10, 5000))
        for s in invited[:4]:
            rows["rfq"].append(number)
            rows["mat"].append(int(material[i]))
            rows["sup"].append(int(s))
            rows["qty"].append(qty)
            rows["issued"].append(int(issued[i]))
    sup = np.array(rows["sup"], dtype=np.int64)
    n = len(sup)
    issued = np.array(rows["issued"], dtype=np.int64)
    due = issued + 7 * DAY
    answer = issued + (S["response_days"][sup - 1] * rng.lognormal(0, 0.5, n) * DAY).astype(
        np.int64
    )
    declines = rng.random(n) < 0.1
    responded = np.where(declines, NULL_INT, answer)
    mat = np.array(rows["mat"], dtype=np.int64)
    std = plant.material_costs.value("unit_cost", mat, issued // DAY)
    quote = np.round(std * S["price_factor"][sup - 1] * rng.uniform(0.95, 1.07, n), 4)
    rfq = np.array(rows["rfq"], dtype=np.int64)
    # the cheapest answer on time wins once the deadline has passed
    awarded = np.zeros(n, dtype=bool)
    for r in np.unique(rfq):
        idx = np.flatnonzero((rfq == r) & (responded != NULL_INT) & (responded <= due))
        if len(idx) and due[idx[0]] < cutoff:
            awarded[idx[np.argmin(quote[idx])]] = True
    resp_h = happened(responded, cutoff)
    status = np.where(
        awarded,
        "AWARDED",
        np.where(
            resp_h != NULL_INT,
            "RESPONDED",
            np.where(declines & (answer < cutoff), "DECLINED", "OPEN"),
        ),
    )
    keep = issued < cutoff
    world.add(
        "supplier.rfqs",
        rfq_id=world.take_ids("supplier.rfqs", int(keep.sum())),
        rfq_number=[f"RFQ-{r:06d}" for r in rfq[keep]],
        material_id=mat[keep],
        supplier_id=sup[keep],
        quantity=np.array(rows["qty"])[keep],
        issued_at=issued[keep],
        response_due_at=due[keep],
        responded_at=resp_h[keep],
        quoted_unit_price=np.where(resp_h != NULL_INT, quote, np.nan)[keep],
        status=status[keep],
        updated_at=last_change(
            cutoff,
            issued,
            responded,
            np.where(awarded, due + DAY, NULL_INT),
            np.where(declines, answer, NULL_INT),
        )[keep],
    )


def _portal(world: World, chunk: Chunk) -> None:
    plant = world.plant
    S = plant.suppliers
    rng = world.rng("supplier", "portal_access_log", chunk)
    cutoff = world.cutoff
    n_days = chunk.end_day - chunk.first_day
    per = rng.poisson(0.35 * n_days, len(S["supplier_id"]))
    sup = np.repeat(S["supplier_id"], per)
    n = len(sup)
    ts = np.sort(chunk.start_ts + rng.integers(0, n_days * DAY, n))
    sup = sup[rng.permutation(n)]
    resource = rng.choice(names.PORTAL_RESOURCES, n)
    action = rng.choice(names.PORTAL_ACTIONS, n, p=[0.5, 0.3, 0.1, 0.1])
    sensitive = np.isin(resource, ["DRAWING", "CONTRACT"])
    granted = rng.random(n) > np.where(sensitive, 0.08, 0.015)
    buyers = plant.employees_of("PROCUREMENT")
    revoked = np.where(
        granted & (rng.random(n) < 0.01), ts + rng.integers(1, 48, n) * HOUR, NULL_INT
    )
    keep = ts < cutoff
    codes = np.array(S["code"], dtype=object)[sup - 1]
    world.add(
        "supplier.portal_access_log",
        access_id=world.take_ids("supplier.portal_access_log", int(keep.sum())),
        supplier_id=sup[keep],
        user_name=[
            f"{c.lower()}.user{u}"
            for c, u in zip(codes[keep], rng.integers(1, 4, n)[keep], strict=True)
        ],
        accessed_at=ts[keep],
        resource=resource[keep],
        action=action[keep],
        ip_address=[f"198.51.100.{int(x)}" for x in (sup[keep] * 7) % 250 + 2],
        access_granted=granted[keep],
        justification=np.where(sensitive, "Engineering change review", None).astype(object)[keep],
        approved_by_employee_id=np.where(sensitive & granted, rng.choice(buyers, n), NULL_INT)[
            keep
        ],
        session_minutes=np.where(granted, rng.integers(1, 90, n), NULL_INT)[keep],
        revoked_at=happened(revoked, cutoff)[keep],
    )


def _ratings(world: World, chunk: Chunk, stats) -> None:
    """Monthly scorecards (0-5) from the month's deliveries, published on the 2nd."""
    plant = world.plant
    S = plant.suppliers
    rng = world.rng("supplier", "supplier_ratings", chunk)
    published = (month_start(chunk.key + 1) + 1) * DAY + 9 * HOUR + rng.integers(0, 3600)
    if published >= world.cutoff:
        return
    n = len(S["supplier_id"])
    on_time = S["on_time_p"].copy()
    reject = S["reject_p"] * 2 * 0.16
    if stats is not None:
        sup, ok, rej, _ = stats
        cnt = np.bincount(sup, minlength=n + 1)[1:]
        has = cnt > 0
        on_time[has] = (np.bincount(sup, weights=ok, minlength=n + 1)[1:] / np.maximum(cnt, 1))[has]
        reject[has] = (np.bincount(sup, weights=rej, minlength=n + 1)[1:] / np.maximum(cnt, 1))[has]
    delivery = np.clip(5 * on_time + rng.normal(0, 0.15, n), 0, 5)
    quality = np.clip(5 * (1 - 4 * reject) + rng.normal(0, 0.15, n), 0, 5)
    price = np.clip(5 - (S["price_factor"] - 0.95) / 0.13 * 2.5 + rng.normal(0, 0.2, n), 0, 5)
    respons = np.clip(5 - S["response_days"] / 2.5 + rng.normal(0, 0.2, n), 0, 5)
    overall = (delivery + quality + price + respons) / 4
    active = S["created_day"] < month_start(chunk.key + 1)
    k = int(active.sum())
    world.add(
        "supplier.supplier_ratings",
        rating_id=world.take_ids("supplier.supplier_ratings", k),
        supplier_id=S["supplier_id"][active],
        period_month=np.full(k, month_start(chunk.key)),
        quality_rating=np.round(quality, 2)[active],
        delivery_rating=np.round(delivery, 2)[active],
        price_competitiveness=np.round(price, 2)[active],
        responsiveness_rating=np.round(respons, 2)[active],
        overall_score=np.round(overall, 2)[active],
        updated_at=np.full(k, published),
    )
