"""Order to cash for one month: sales orders and lines (erp), picking (wms), shipments, tracking
and deliveries (tms), returns (service), customer disputes (financial) and the postings of
revenue, cost of sales, collections, refunds and freight.

An order's whole life is drawn when it is placed (confirmation, shipment, delivery, invoice,
payment); what the databases show is that life as of the cutoff, so recent orders are still open.
Quantities follow the plant's expected output, so sales and production stay in balance.
"""

from __future__ import annotations

import numpy as np

from genims_platform.simulator.core import (
    DAY,
    HOUR,
    MINUTE,
    NULL_INT,
    Chunk,
    amount_cents,
    happened,
    last_change,
    weekday,
)
from genims_platform.simulator.ledger import Line
from genims_platform.simulator.names import RETURN_REASONS
from genims_platform.simulator.plant import Plant
from genims_platform.simulator.production import Outflows
from genims_platform.simulator.world import World

ORDERS_PER_DAY_SF1 = 50.0
WEEKDAY_WEIGHT = np.array([1.2, 1.2, 1.2, 1.2, 1.2, 0.35, 0.15]) / (6.5 / 7)
LINES_PER_ORDER = np.array([1, 2, 3, 4, 5, 6])
LINES_P = np.array([0.25, 0.25, 0.2, 0.15, 0.1, 0.05])
DISCOUNT_RANGE = {"STRATEGIC": (8, 15), "ENTERPRISE": (4, 12), "MID_MARKET": (0, 8), "SMB": (0, 5)}
ON_TIME_SHARE = 0.92


def orders_per_day(plant: Plant) -> float:
    return plant.scale.rate(ORDERS_PER_DAY_SF1, minimum=2.0)


def product_mix(plant: Plant) -> tuple[np.ndarray, np.ndarray]:
    """Probability that an order line is for each product, and the mean quantity that makes
    expected sales 97 % of expected good output."""
    units = plant.products["units_per_day"]
    prob = np.sqrt(units) / np.sqrt(units).sum()
    lines_per_day = orders_per_day(plant) * float(np.dot(LINES_PER_ORDER, LINES_P))
    mean_qty = 0.97 * units / (lines_per_day * prob)
    return prob, mean_qty


def sales_month(world: World, chunk: Chunk, outflows: Outflows) -> dict[str, np.ndarray]:
    """Generate the month's orders; returns their lines for make-to-order work orders."""
    plant = world.plant
    C, P = plant.customers, plant.products
    rng = world.rng("erp", "sales_orders", chunk)
    cutoff = world.cutoff
    days = chunk.days
    doy = (days % 365.25) / 365.25
    lam = (
        orders_per_day(plant) * WEEKDAY_WEIGHT[weekday(days)] * (1 + 0.12 * np.sin(2 * np.pi * doy))
    )
    per_day = rng.poisson(lam)
    n_c = len(C["customer_id"])
    cust_list, day_list = [], []
    for d, k in zip(days, per_day, strict=True):
        eligible = (C["created_day"] <= d) & ((C["churn_day"] == NULL_INT) | (d < C["churn_day"]))
        w = C["weight"] * eligible
        cust_list.append(rng.choice(n_c, int(k), p=w / w.sum()))
        day_list.append(np.full(int(k), d))
    cust = np.concatenate(cust_list)
    day = np.concatenate(day_list)
    n = len(cust)
    if n == 0:
        return {
            "sales_order_id": np.zeros(0, np.int64),
            "product": np.zeros(0, np.int64),
            "order_ts": np.zeros(0, np.int64),
        }
    prob, mean_qty = product_mix(plant)
    n_f = len(plant.factories["factory_id"])
    f_prob = np.bincount(P["factory_id"], weights=prob, minlength=n_f + 1)[1:]
    factory = rng.choice(n_f, n, p=f_prob / f_prob.sum()) + 1
    n_lines = rng.choice(LINES_PER_ORDER, n, p=LINES_P)
    created = day * DAY + 8 * HOUR + rng.integers(0, 10 * 60, n) * MINUTE + rng.integers(0, 60, n)
    order_ids = np.zeros(n, dtype=np.int64)
    # lines: distinct products of the order's factory
    l_order, l_product = [], []
    for i in range(n):
        prods = np.flatnonzero(P["factory_id"] == factory[i])
        k = min(int(n_lines[i]), len(prods))
        p = prob[prods] / prob[prods].sum()
        chosen = rng.choice(prods, k, replace=False, p=p) + 1
        l_order += [i] * k
        l_product += chosen.tolist()
    l_order_a = np.array(l_order, dtype=np.int64)
    l_product_a = np.array(l_product, dtype=np.int64)
    nl = len(l_order_a)
    qty = np.maximum(1, np.round(rng.gamma(2.0, mean_qty[l_product_a - 1] / 2.0)))
    price = plant.prices.value("unit_price", l_product_a, day[l_order_a])
    seg = C["segment"][cust[l_order_a]]
    lo = np.array([DISCOUNT_RANGE[s][0] for s in seg])
    hi = np.array([DISCOUNT_RANGE[s][1] for s in seg])
    discount = np.round(rng.uniform(lo, hi) * 2) / 2
    amount_c = amount_cents(qty, price, discount)
    total_c = np.bincount(l_order_a, weights=amount_c, minlength=n).astype(np.int64)
    # the order's life
    cancelled = rng.random(n) < 0.03
    cancel_ts = np.where(cancelled, created + rng.integers(2 * 60, 72 * 60, n) * MINUTE, NULL_INT)
    confirm_ts = created + rng.integers(30, 24 * 60, n) * MINUTE
    confirmed = ~cancelled | (confirm_ts < cancel_ts)
    confirm_ts = np.where(confirmed, confirm_ts, NULL_INT)
    ship_day = day + rng.integers(2, 11, n)
    requested = day + rng.integers(7, 31, n)
    promised = requested + rng.choice([0, 0, 1, 2, 3], n)
    ship_ts = np.where(
        ~cancelled, ship_day * DAY + rng.integers(10 * 60, 18 * 60, n) * MINUTE, NULL_INT
    )
    route = C["route_id"][cust]
    transit = plant.routes["transit"][route - 1]
    carrier = _carriers(plant, rng, route)
    on_time = rng.random(n) < ON_TIME_SHARE * plant.carriers["reliability"][carrier - 1] / 0.9
    actual = np.where(
        on_time, np.maximum(1, transit - rng.integers(0, 2, n)), transit + rng.integers(1, 6, n)
    )
    planned_delivery = ship_day + transit
    delivered_ts = np.where(
        ~cancelled, (ship_day + actual) * DAY + rng.integers(9 * 60, 17 * 60, n) * MINUTE, NULL_INT
    )
    invoice_ts = np.where(~cancelled, delivered_ts + rng.integers(0, 3, n) * DAY + HOUR, NULL_INT)
    terms = C["terms"][cust]
    due_day = invoice_ts // DAY + terms
    behaviour = rng.random(n)
    paid_day = np.where(
        behaviour < 0.82,
        due_day + np.round(rng.normal(-3, 6, n)).astype(int),
        np.where(behaviour < 0.97, due_day + rng.integers(10, 41, n), NULL_INT),
    )
    paid_day = np.where(
        cancelled | (paid_day == NULL_INT), NULL_INT, np.maximum(paid_day, invoice_ts // DAY + 1)
    )
    paid_ts = np.where(
        paid_day != NULL_INT, paid_day * DAY + rng.integers(9, 17, n) * HOUR, NULL_INT
    )
    # what the cutoff sees
    seen = created < cutoff
    idx = np.flatnonzero(seen)
    order_ids[idx] = world.take_ids("erp.sales_orders", len(idx))
    shipped = happened(ship_ts, cutoff) != NULL_INT
    delivered = happened(delivered_ts, cutoff) != NULL_INT
    invoiced = happened(invoice_ts, cutoff) != NULL_INT
    paid = happened(paid_ts, cutoff) != NULL_INT
    is_cancelled = happened(cancel_ts, cutoff) != NULL_INT
    status = np.select(
        [is_cancelled, invoiced, delivered, shipped, happened(confirm_ts, cutoff) != NULL_INT],
        ["CANCELLED", "INVOICED", "DELIVERED", "SHIPPED", "CONFIRMED"],
        "OPEN",
    )
    overdue = invoiced & ~paid & (due_day < cutoff // DAY)
    pay_status = np.where(paid, "PAID", np.where(overdue, "OVERDUE", "UNPAID"))
    world.add(
        "erp.sales_orders",
        sales_order_id=order_ids[idx],
        order_number=[f"SO-{i:07d}" for i in order_ids[idx]],
        customer_id=C["customer_id"][cust][idx],
        sales_rep_id=C["rep_id"][cust][idx],
        factory_id=factory[idx],
        order_date=day[idx],
        requested_delivery_date=requested[idx],
        promised_delivery_date=promised[idx],
        ship_date=np.where(shipped, ship_day, NULL_INT)[idx],
        delivery_date=np.where(delivered, delivered_ts // DAY, NULL_INT)[idx],
        currency=["USD"] * len(idx),
        total_amount=total_c[idx] / 100.0,
        status=status[idx],
        payment_status=pay_status[idx],
        paid_date=np.where(paid, paid_day, NULL_INT)[idx],
        created_at=created[idx],
        updated_at=last_change(
            cutoff, created, confirm_ts, cancel_ts, ship_ts, delivered_ts, invoice_ts, paid_ts
        )[idx],
    )
    l_seen = seen[l_order_a]
    line_no = np.arange(nl) - np.searchsorted(l_order_a, l_order_a) + 1
    line_ids = np.zeros(nl, dtype=np.int64)
    line_ids[l_seen] = world.take_ids("erp.sales_order_lines", int(l_seen.sum()))
    world.add(
        "erp.sales_order_lines",
        sales_order_line_id=line_ids[l_seen],
        sales_order_id=order_ids[l_order_a][l_seen],
        line_no=line_no[l_seen],
        product_id=l_product_a[l_seen],
        quantity=qty[l_seen],
        unit_price=price[l_seen],
        discount_pct=discount[l_seen],
        line_amount=amount_c[l_seen] / 100.0,
        updated_at=np.where(
            confirm_ts[l_order_a] < cutoff,
            np.maximum(confirm_ts[l_order_a], created[l_order_a]),
            created[l_order_a],
        )[l_seen],
    )
    orders = {
        "cust": cust,
        "day": day,
        "created": created,
        "factory": factory,
        "ids": order_ids,
        "confirm": confirm_ts,
        "cancel": cancel_ts,
        "ship_ts": ship_ts,
        "ship_day": ship_day,
        "planned_delivery": planned_delivery,
        "delivered": delivered_ts,
        "invoice": invoice_ts,
        "paid": paid_ts,
        "total": total_c,
        "route": route,
        "carrier": carrier,
        "seen": seen,
    }
    lines = {
        "order": l_order_a,
        "product": l_product_a,
        "qty": qty,
        "ids": line_ids,
        "amount": amount_c,
        "seen": l_seen,
    }
    _picking(world, chunk, orders, lines)
    shipments = _shipments(world, chunk, orders, lines, outflows)
    _postings(world, orders, lines, shipments)
    _returns_and_disputes(world, chunk, orders, lines)
    return {
        "sales_order_id": order_ids[l_order_a][l_seen],
        "product": l_product_a[l_seen],
        "order_ts": created[l_order_a][l_seen],
    }


def _carriers(plant: Plant, rng: np.random.Generator, route: np.ndarray) -> np.ndarray:
    modes = plant.carriers["mode"]
    long_pool = np.flatnonzero(np.isin(modes, ["SEA", "AIR"])) + 1
    short_pool = np.flatnonzero(np.isin(modes, ["ROAD", "RAIL"])) + 1
    long_pool = long_pool if len(long_pool) else plant.carriers["carrier_id"]
    short_pool = short_pool if len(short_pool) else plant.carriers["carrier_id"]
    long_haul = plant.routes["long_haul"][route - 1]
    return np.where(
        long_haul, rng.choice(long_pool, len(route)), rng.choice(short_pool, len(route))
    )


def _picking(world: World, chunk: Chunk, orders: dict, lines: dict) -> None:
    plant = world.plant
    rng = world.rng("wms", "pick_tasks", chunk)
    cutoff = world.cutoff
    o = lines["order"]
    confirm = orders["confirm"][o]
    ok = (confirm != NULL_INT) & (confirm < cutoff) & lines["seen"]
    idx = np.flatnonzero(ok)
    o = o[idx]
    n = len(idx)
    picked = orders["ship_ts"][o] - rng.integers(2 * 60, 20 * 60, n) * MINUTE
    cancelled = orders["cancel"][o] != NULL_INT
    picked = np.where(cancelled, NULL_INT, np.maximum(picked, confirm[idx] + 10 * MINUTE))
    picked_h = happened(picked, cutoff)
    short = rng.random(n) < 0.02
    cancel_h = happened(orders["cancel"][o], cutoff)
    status = np.where(
        cancel_h != NULL_INT,
        "CANCELLED",
        np.where(picked_h != NULL_INT, np.where(short, "SHORT", "PICKED"), "OPEN"),
    )
    staff = plant.employees_of("LOGISTICS")
    dc_staff = staff[plant.employees["factory_id"][staff - 1] == NULL_INT]
    pickers = dc_staff if len(dc_staff) else staff
    order = np.argsort(confirm[idx], kind="stable")
    world.add(
        "wms.pick_tasks",
        pick_task_id=world.take_ids("wms.pick_tasks", n),
        sales_order_id=orders["ids"][o][order],
        sales_order_line_id=lines["ids"][idx][order],
        product_id=lines["product"][idx][order],
        warehouse_id=plant.customers["dc_id"][orders["cust"][o]][order],
        quantity=lines["qty"][idx][order],
        status=status[order],
        created_at=confirm[idx][order],
        picked_at=picked_h[order],
        picker_employee_id=np.where(picked_h != NULL_INT, rng.choice(pickers, n), NULL_INT)[order],
        updated_at=last_change(cutoff, confirm[idx], picked, orders["cancel"][o])[order],
    )


def _shipments(world: World, chunk: Chunk, orders: dict, lines: dict, outflows: Outflows) -> dict:
    plant = world.plant
    P, C, R = plant.products, plant.customers, plant.routes
    rng = world.rng("tms", "shipments", chunk)
    cutoff = world.cutoff
    ship = np.flatnonzero(orders["seen"] & (happened(orders["ship_ts"], cutoff) != NULL_INT))
    ship = ship[np.argsort(orders["ship_ts"][ship], kind="stable")]
    n = len(ship)
    ids = world.take_ids("tms.shipments", n)
    weight = np.bincount(
        lines["order"],
        weights=lines["qty"] * P["weight_kg"][lines["product"] - 1],
        minlength=len(orders["ids"]),
    )[ship]
    route = orders["route"][ship]
    carrier = orders["carrier"][ship]
    mode = plant.carriers["mode"][carrier - 1]
    per_kg = np.select([mode == "AIR", mode == "SEA", mode == "RAIL"], [1.2, 0.05, 0.08], 0.12)
    freight = np.round(weight * per_kg + R["distance"][route - 1] * 0.15 + 45, 2)
    shipped = orders["ship_ts"][ship]
    delivered = happened(orders["delivered"][ship], cutoff)
    planned = orders["planned_delivery"][ship]
    status = np.where(
        delivered != NULL_INT,
        "DELIVERED",
        np.where(planned < cutoff // DAY, "EXCEPTION", "IN_TRANSIT"),
    )
    wh = C["dc_id"][orders["cust"][ship]]
    world.add(
        "tms.shipments",
        shipment_id=ids,
        shipment_number=[f"SH-{i:07d}" for i in ids],
        sales_order_id=orders["ids"][ship],
        customer_id=C["customer_id"][orders["cust"][ship]],
        carrier_id=carrier,
        route_id=route,
        warehouse_id=wh,
        shipped_at=shipped,
        planned_delivery_date=planned,
        delivered_at=delivered,
        status=status,
        freight_cost=freight,
        weight_kg=np.round(weight, 2),
        updated_at=last_change(
            cutoff,
            shipped,
            delivered,
            np.where(status == "EXCEPTION", (planned + 1) * DAY, NULL_INT),
        ),
    )
    # tracking events along the way
    late = orders["delivered"][ship] // DAY > planned
    ev_s, ev_ts, ev_type, ev_loc = [], [], [], []
    origin_city = np.array(plant.warehouses["city"], dtype=object)[wh - 1]
    dest_city = np.array(R["city"], dtype=object)[route - 1]
    d_ts = orders["delivered"][ship]
    steps = [
        ("PICKED_UP", shipped, origin_city),
        ("DEPARTED_ORIGIN", shipped + rng.integers(2, 7, n) * HOUR, origin_city),
        ("IN_TRANSIT", shipped + (d_ts - shipped) // 2, np.full(n, "Hub", dtype=object)),
        (
            "DELAYED",
            np.where(late, planned * DAY + 8 * HOUR, NULL_INT),
            np.full(n, "Hub", dtype=object),
        ),
        ("OUT_FOR_DELIVERY", d_ts - rng.integers(2, 7, n) * HOUR, dest_city),
        ("DELIVERED", d_ts, dest_city),
    ]
    for name, ts, loc in steps:
        ok = (ts != NULL_INT) & (ts < cutoff)
        ev_s.append(np.flatnonzero(ok))
        ev_ts.append(ts[ok])
        ev_type.append(np.full(int(ok.sum()), name, dtype=object))
        ev_loc.append(loc[ok])
    s_idx = np.concatenate(ev_s)
    t = np.concatenate(ev_ts)
    order = np.argsort(t, kind="stable")
    world.add(
        "tms.tracking_events",
        tracking_event_id=world.take_ids("tms.tracking_events", len(t)),
        shipment_id=ids[s_idx][order],
        event_ts=t[order],
        event_type=np.concatenate(ev_type)[order],
        location=np.concatenate(ev_loc)[order],
        notes=np.where(
            np.concatenate(ev_type)[order] == "DELAYED", "Carrier reported delay", None
        ).astype(object),
    )
    done = np.flatnonzero(delivered != NULL_INT)
    done = done[np.argsort(delivered[done], kind="stable")]
    condition = rng.choice(["GOOD", "DAMAGED", "PARTIAL"], len(done), p=[0.95, 0.03, 0.02])
    world.add(
        "tms.deliveries",
        delivery_id=world.take_ids("tms.deliveries", len(done)),
        shipment_id=ids[done],
        delivered_at=delivered[done],
        received_by=np.array(C["contact"], dtype=object)[orders["cust"][ship][done]],
        condition=condition,
        on_time=delivered[done] // DAY <= planned[done],
    )
    # cartons leave the distribution centres with the shipments, booked once a day
    in_ship = np.isin(lines["order"], ship)
    if in_ship.any():
        o = lines["order"][in_ship]
        material = P["packaging"][lines["product"][in_ship] - 1]
        dc = C["dc_id"][orders["cust"][o]]
        ship_day = orders["ship_ts"][o] // DAY
        key = np.stack([dc, ship_day, material], axis=1)
        keys, inv = np.unique(key, axis=0, return_inverse=True)
        qty = np.bincount(inv.ravel(), weights=lines["qty"][in_ship])
        outflows.extend(
            keys[:, 2],
            keys[:, 0],
            keys[:, 1] * DAY + 16 * HOUR,
            np.rint(qty * 1000).astype(np.int64),
            "ISSUE",
            "SHIPMENTS",
            np.full(len(keys), NULL_INT),
        )
    return {"index": ship, "ids": ids, "freight": freight, "carrier": carrier}


def _postings(world: World, orders: dict, lines: dict, shipments: dict) -> None:
    plant = world.plant
    costs = plant.product_costs
    o = lines["order"]
    ship_ts = orders["ship_ts"]
    shipped = orders["seen"] & (ship_ts != NULL_INT)
    sales_cc = int(np.flatnonzero(plant.cost_centers["kind"] == "SALES")[0]) + 1
    # cost of sales at the standard cost valid on the shipping day, per cost element
    v = costs.at(lines["product"], np.where(ship_ts[o] != NULL_INT, ship_ts[o] // DAY, 0))
    n = len(orders["ids"])
    elements = {}
    for name in ("material_cost", "labor_cost", "overhead_cost"):
        per_line = np.rint(lines["qty"] * costs.values[name][v] * 100)
        elements[name] = np.bincount(o, weights=per_line, minlength=n).astype(np.int64)
    idx = np.flatnonzero(shipped)
    fac = orders["factory"][idx]
    cogs = sum(elements[k][idx] for k in elements)
    world.ledger.post(
        ts=ship_ts[idx] + 5 * MINUTE,
        module="ERP_SALES",
        doc=orders["ids"][idx],
        description=[f"Invoice SO-{i:07d}" for i in orders["ids"][idx]],
        lines=[
            Line(plant.account("1100"), orders["total"][idx], NULL_INT, fac, "Trade receivable"),
            Line(plant.account("4000"), -orders["total"][idx], sales_cc, fac, "Product revenue"),
            Line(
                plant.account("5000"),
                elements["material_cost"][idx],
                NULL_INT,
                fac,
                "Cost of sales - materials",
            ),
            Line(
                plant.account("5010"),
                elements["labor_cost"][idx],
                NULL_INT,
                fac,
                "Cost of sales - labour",
            ),
            Line(
                plant.account("5020"),
                elements["overhead_cost"][idx],
                NULL_INT,
                fac,
                "Cost of sales - overhead",
            ),
            Line(plant.account("1210"), -cogs, NULL_INT, fac, "Finished goods shipped"),
        ],
    )
    paid = np.flatnonzero(orders["seen"] & (orders["paid"] != NULL_INT))
    world.ledger.post(
        ts=orders["paid"][paid],
        module="ERP_SALES",
        doc=orders["ids"][paid],
        description=[f"Customer payment SO-{i:07d}" for i in orders["ids"][paid]],
        lines=[
            Line(plant.account("1000"), orders["total"][paid], NULL_INT, NULL_INT, "Bank"),
            Line(
                plant.account("1100"),
                -orders["total"][paid],
                NULL_INT,
                orders["factory"][paid],
                "Trade receivable settled",
            ),
        ],
    )
    # carriers invoice the month's freight on its last day
    s = shipments["index"]
    if len(s):
        month_end = (orders["ship_ts"][s] // DAY).max() + 1
        per_carrier = np.bincount(
            shipments["carrier"],
            weights=np.rint(shipments["freight"] * 100),
            minlength=len(plant.carriers["carrier_id"]) + 1,
        ).astype(np.int64)
        carriers = np.flatnonzero(per_carrier > 0)
        logistics_cc = int(np.flatnonzero(plant.cost_centers["kind"] == "LOGISTICS")[-1]) + 1
        world.ledger.post(
            ts=np.full(len(carriers), month_end * DAY - 6 * HOUR),
            module="ERP_PURCHASING",
            doc=carriers,
            description=[f"Freight invoice {plant.carriers['code'][c - 1]}" for c in carriers],
            lines=[
                Line(plant.account("6300"), per_carrier[carriers], logistics_cc),
                Line(plant.account("1000"), -per_carrier[carriers]),
            ],
        )


def _returns_and_disputes(world: World, chunk: Chunk, orders: dict, lines: dict) -> None:
    plant = world.plant
    C = plant.customers
    rng = world.rng("service", "returns", chunk)
    cutoff = world.cutoff
    delivered = np.flatnonzero(orders["seen"] & (orders["delivered"] != NULL_INT))
    pick = delivered[rng.random(len(delivered)) < 0.025]
    n = len(pick)
    if n:
        first_line = np.searchsorted(lines["order"], pick)
        counts = np.bincount(lines["order"], minlength=len(orders["ids"]))[pick]
        li = first_line + rng.integers(0, np.maximum(counts, 1))
        qty = np.minimum(lines["qty"][li], rng.integers(1, 6, n))
        requested = orders["delivered"][pick] // DAY + rng.integers(3, 31, n)
        received = requested * DAY + rng.integers(3, 11, n) * DAY + 10 * HOUR
        rejected = rng.random(n) < 0.1
        refunded = np.where(rejected, NULL_INT, received + rng.integers(2, 11, n) * DAY)
        unit_net = lines["amount"][li] / np.maximum(lines["qty"][li], 1)
        refund_c = np.rint(unit_net * qty).astype(np.int64)
        seen = requested * DAY + 9 * HOUR < cutoff
        status = np.where(
            rejected & (received < cutoff),
            "REJECTED",
            np.where(
                happened(refunded, cutoff) != NULL_INT,
                "REFUNDED",
                np.where(received < cutoff, "RECEIVED", "REQUESTED"),
            ),
        )
        idx = np.flatnonzero(seen)
        idx = idx[np.argsort(requested[idx], kind="stable")]
        ids = world.take_ids("service.returns", len(idx))
        world.add(
            "service.returns",
            return_id=ids,
            rma_number=[f"RMA-{i:06d}" for i in ids],
            customer_id=C["customer_id"][orders["cust"][pick]][idx],
            product_id=lines["product"][li][idx],
            sales_order_id=orders["ids"][pick][idx],
            quantity=qty[idx],
            reason=rng.choice(RETURN_REASONS, n)[idx],
            return_date=requested[idx],
            status=status[idx],
            refund_amount=np.where(status == "REFUNDED", refund_c / 100.0, 0.0)[idx],
            updated_at=last_change(cutoff, requested * DAY + 9 * HOUR, received, refunded)[idx],
        )
        paid_refund = idx[happened(refunded[idx], cutoff) != NULL_INT]
        world.ledger.post(
            ts=refunded[paid_refund],
            module="ERP_SALES",
            doc=orders["ids"][pick][paid_refund],
            description="Customer refund for returned goods",
            lines=[
                Line(
                    plant.account("4900"),
                    refund_c[paid_refund],
                    NULL_INT,
                    orders["factory"][pick][paid_refund],
                ),
                Line(plant.account("1000"), -refund_c[paid_refund]),
            ],
        )
    # a few invoices are disputed by the customer
    rng = world.rng("financial", "disputes_customers", chunk)
    invoiced = np.flatnonzero(orders["seen"] & (orders["invoice"] != NULL_INT))
    pick = invoiced[rng.random(len(invoiced)) < 0.012]
    write_disputes(
        world,
        rng,
        "CUSTOMER",
        C["customer_id"][orders["cust"][pick]],
        orders["total"][pick] * rng.uniform(0.05, 0.4, len(pick)),
        orders["invoice"][pick] + rng.integers(5, 30, len(pick)) * DAY,
    )


def write_disputes(
    world: World,
    rng: np.random.Generator,
    party: str,
    party_id: np.ndarray,
    disputed_cents: np.ndarray,
    opened: np.ndarray,
) -> None:
    """Disputes with customers or suppliers; most are resolved within two months."""
    cutoff = world.cutoff
    keep = opened < cutoff
    n = int(keep.sum())
    if not n:
        return
    party_id, disputed_cents, opened = party_id[keep], disputed_cents[keep], opened[keep]
    order = np.argsort(opened, kind="stable")
    party_id, disputed_cents, opened = party_id[order], disputed_cents[order], opened[order]
    resolved = opened + rng.integers(5, 60, n) * DAY
    resolved_h = happened(resolved, cutoff)
    review = opened + rng.integers(1, 5, n) * DAY
    method = rng.choice(
        ["CREDIT_NOTE", "PAYMENT_PLAN", "WRITE_OFF", "REJECTED"], n, p=[0.45, 0.2, 0.15, 0.2]
    )
    amount = np.round(disputed_cents / 100.0, 2)
    settlement = np.where(method == "REJECTED", 0.0, np.round(amount * rng.uniform(0.3, 1.0, n), 2))
    ids = world.take_ids("financial.disputes", n)
    done = resolved_h != NULL_INT
    world.add(
        "financial.disputes",
        dispute_id=ids,
        dispute_number=[f"DSP-{i:06d}" for i in ids],
        dispute_type=np.full(
            n, "PRICING" if party == "CUSTOMER" else "INVOICE_MISMATCH", dtype=object
        ),
        customer_id=party_id if party == "CUSTOMER" else np.full(n, NULL_INT),
        supplier_id=party_id if party == "SUPPLIER" else np.full(n, NULL_INT),
        amount_in_dispute=amount,
        opened_at=opened,
        status=np.where(done, "RESOLVED", np.where(review < cutoff, "UNDER_REVIEW", "OPEN")),
        resolved_at=resolved_h,
        resolution_method=np.where(done, method, None).astype(object),
        settlement_amount=np.where(done, settlement, np.nan),
        updated_at=last_change(cutoff, opened, review, resolved),
    )
