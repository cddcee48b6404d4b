"""Procure to pay and the stores: a day-by-day stock engine per (material, warehouse).

Every stocked (material, warehouse) pair follows a reorder-point policy: when stock plus open
orders drop below the reorder point, a purchase order brings it back up to the maximum. Purchase
orders (with approvals above a threshold), their goods receipts (partial and late deliveries,
rejections), receiving, incoming inspections, supplier invoices and the ledger postings all come
from that engine, and so does every inventory movement.

Stock is kept in thousandths of a unit, so balances are exact sums of movements. Within a day the
order is: expedited receipts (00:05), cycle counts (00:20-00:50), then issues, receipts and
transfers; a day's outflows are checked against the stock before its receipts, so the running
balance can never go negative at any instant.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from genims_platform.simulator import names
from genims_platform.simulator.core import (
    DAY,
    HOUR,
    MINUTE,
    NULL_INT,
    Chunk,
    amount_cents,
    happened,
    last_change,
)
from genims_platform.simulator.ledger import Line
from genims_platform.simulator.plant import (
    BREAK_SECONDS,
    EXPECTED_AVAILABILITY,
    EXPECTED_PERFORMANCE,
    SHIFT_SECONDS,
    Plant,
)
from genims_platform.simulator.production import Outflows, factory_store, machine_spares
from genims_platform.simulator.quality import Inspections, write_inspections
from genims_platform.simulator.sales import write_disputes
from genims_platform.simulator.world import World

APPROVAL_THRESHOLD = 50_000.0
SECOND_APPROVAL = 250_000.0
COUNT_TOLERANCE = 0.05
REVIEW_DAYS = 7


@dataclass
class Receipt:
    day: int
    ts: int
    series: int
    received: int  # milli-units
    accepted: int
    po: int
    po_line: int
    price: float
    supplier: int
    due_day: int


@dataclass
class Stores:
    """The engine's state between months."""

    material: np.ndarray
    warehouse: np.ndarray
    factory: np.ndarray
    cost_center: np.ndarray
    demand: np.ndarray  # expected units per day
    rop: np.ndarray  # milli-units
    safety: np.ndarray
    max_stock: np.ndarray
    on_hand: np.ndarray
    on_order: np.ndarray
    last_move: np.ndarray
    whole: np.ndarray  # stocked in whole units
    review_weekday: np.ndarray  # buyers reorder from the preferred supplier on this weekday
    keys: np.ndarray
    pipeline: dict[int, list[Receipt]] = field(default_factory=lambda: defaultdict(list))
    carry: dict | None = None

    def index(self, material: np.ndarray, warehouse: np.ndarray) -> np.ndarray:
        keys = np.asarray(material, dtype=np.int64) * 10_000 + np.asarray(warehouse)
        pos = np.searchsorted(self.keys, keys)
        if np.any(self.keys[np.minimum(pos, len(self.keys) - 1)] != keys):
            raise AssertionError("movement for a material that is not stocked there")
        return pos


def _round_units(milli: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.where(whole, np.ceil(milli / 1000.0) * 1000, np.ceil(milli)).astype(np.int64)


def build_stores(world: World) -> Stores:
    """Which warehouse stocks what, the expected demand and the reorder parameters."""
    plant = world.plant
    P, M, W, mat = plant.products, plant.machines, plant.warehouses, plant.materials
    rng = world.rng("wms", "stock_policy")
    series: dict[tuple[int, int], float] = defaultdict(float)
    # a work order runs its line flat out for up to three days (two in a row for the same
    # product happen), so a material is used in lumps
    # far above its average: the stock must cover one such lump on top of the average demand
    lump: dict[tuple[int, int], float] = defaultdict(float)
    bom = plant.bom
    for p, m, q in zip(bom["product_id"], bom["material_id"], bom["qty"], strict=True):
        f = int(P["factory_id"][p - 1])
        line = P["line_id"][p - 1] - 1
        first = np.flatnonzero((M["line_id"] == line + 1) & (M["seq"] == 1))[0]
        full_day = 3 * (SHIFT_SECONDS - BREAK_SECONDS) * EXPECTED_PERFORMANCE / M["ict"][first]
        share_of_time = P["share"][p - 1] * plant.lines["days_per_week"][line] / 7.0
        key = (int(m), factory_store(plant, f))
        series[key] += full_day * EXPECTED_AVAILABILITY * share_of_time * q * 1.05
        lump[key] = max(lump[key], full_day * 5 * q * 1.05)
    for i, mid in enumerate(M["machine_id"]):
        f = int(M["factory_id"][i])
        shifts = 3 * plant.lines["days_per_week"][M["line_id"][i] - 1] / 7.0
        rate = M["fault_rate"][i] * shifts * 0.45 + 0.3 / M["pm_interval"][i]
        for s in machine_spares(plant, int(mid)):
            key = (int(s), factory_store(plant, f, "MRO_STORES"))
            series[key] += rate * 1.4
            lump[key] = 15.0
    dcs = W["warehouse_id"][W["type"] == "DISTRIBUTION"]
    C = plant.customers
    dc_share = {int(d): float(C["weight"][C["dc_id"] == d].sum() / C["weight"].sum()) for d in dcs}
    for p, m in enumerate(P["packaging"]):
        for d in dcs:
            key = (int(m), int(d))
            series[key] += P["units_per_day"][p] * 0.97 * dc_share[int(d)] * 1.2
            lump[key] = series[key] * 5
    stocked = {m for m, _ in series}
    store1 = factory_store(plant, 1)
    mro1 = factory_store(plant, 1, "MRO_STORES")
    for m, kind in zip(mat["material_id"], mat["type"], strict=True):
        if int(m) not in stocked:  # obsolete or unused: opening stock only (slow movers)
            series[(int(m), mro1 if kind == "SPARE_PART" else store1)] += 0.0
    keys = sorted(series)
    n = len(keys)
    material = np.array([k[0] for k in keys], dtype=np.int64)
    warehouse = np.array([k[1] for k in keys], dtype=np.int64)
    demand = np.array([series[k] for k in keys])
    peak = np.array([lump[k] for k in keys])
    whole = mat["uom"][material - 1] == "EA"
    lead = mat["lead_time"][material - 1]
    safety_days = rng.uniform(4, 10, n)
    cycle_days = rng.uniform(12, 30, n)
    safety = _round_units(np.maximum(demand * safety_days, peak) * 1000, whole)
    # periodic review: each series is looked at once a week, so cover lead time plus a week
    rop = _round_units(demand * (lead + REVIEW_DAYS) * 1000, whole) + safety
    max_stock = rop + _round_units(demand * cycle_days * 1000, whole)
    idle = demand == 0
    opening_idle = np.where(
        whole, rng.integers(20, 400, n) * 1000, np.round(rng.uniform(20, 400, n) * 1000)
    )
    max_stock = np.where(idle, opening_idle, max_stock).astype(np.int64)
    # the opening stock lies anywhere between safety stock and the maximum, so replenishment
    # (and goods receipts) start in the first weeks
    opening = np.where(idle, opening_idle, safety + rng.uniform(0.2, 1.0, n) * (max_stock - safety))
    opening = _round_units(opening, whole)
    factory = W["factory_id"][warehouse - 1]
    factory = np.where(factory == NULL_INT, 1, factory)
    cc = plant.cost_centers
    cc_of = np.array(
        [
            int(
                np.flatnonzero(
                    (cc["kind"] == "LOGISTICS") & (cc["factory_id"] == W["factory_id"][w - 1])
                )[0]
            )
            + 1
            if W["factory_id"][w - 1] != NULL_INT
            else int(np.flatnonzero(np.array(cc["name"]) == W["name"][w - 1])[0]) + 1
            for w in warehouse
        ]
    )
    return Stores(
        material=material,
        warehouse=warehouse,
        factory=factory,
        cost_center=cc_of,
        review_weekday=np.array(
            [plant.material_suppliers["suppliers"][m - 1][0] % 5 for m in material], dtype=np.int64
        ),
        demand=demand,
        rop=rop,
        safety=safety,
        max_stock=max_stock,
        on_hand=opening.astype(np.int64),
        on_order=np.zeros(n, dtype=np.int64),
        last_move=np.full(n, world.horizon.start_ts, dtype=np.int64),
        whole=whole,
        keys=material * 10_000 + warehouse,
    )


class _Moves:
    """Inventory transactions of one month, collected then written in time order."""

    def __init__(self) -> None:
        self.cols: dict[str, list] = defaultdict(list)

    def add(self, series, stores: Stores, tx_type, qty, cost, ts, ref_type, ref_id) -> None:
        series = np.atleast_1d(np.asarray(series, dtype=np.int64))
        n = len(series)
        self.cols["material"].append(stores.material[series])
        self.cols["warehouse"].append(stores.warehouse[series])
        self.cols["tx_type"].append(np.broadcast_to(np.asarray(tx_type, dtype=object), (n,)))
        self.cols["qty"].append(np.broadcast_to(np.asarray(qty, dtype=np.int64), (n,)))
        self.cols["cost"].append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)))
        self.cols["ts"].append(np.broadcast_to(np.asarray(ts, dtype=np.int64), (n,)))
        self.cols["ref_type"].append(np.broadcast_to(np.asarray(ref_type, dtype=object), (n,)))
        self.cols["ref_id"].append(np.broadcast_to(np.asarray(ref_id, dtype=np.int64), (n,)))

    def write(self, world: World, chunk: Chunk) -> None:
        if not self.cols:
            return
        c = {k: np.concatenate(v) for k, v in self.cols.items()}
        keep = c["ts"] < world.cutoff
        order = np.flatnonzero(keep)[np.argsort(c["ts"][keep], kind="stable")]
        rng = world.rng("wms", "inventory_transactions", chunk)
        n = len(order)
        world.add(
            "wms.inventory_transactions",
            inventory_tx_id=world.take_ids("wms.inventory_transactions", n),
            material_id=c["material"][order],
            warehouse_id=c["warehouse"][order],
            tx_type=c["tx_type"][order],
            quantity=c["qty"][order] / 1000.0,
            unit_cost=np.round(c["cost"][order], 4),
            tx_ts=c["ts"][order],
            reference_type=c["ref_type"][order],
            reference_id=c["ref_id"][order],
            created_at=np.minimum(c["ts"][order] + rng.integers(0, 120, n), world.cutoff - 1),
        )


def opening_stock(world: World, stores: Stores) -> int:
    """Day-one receipts that establish the opening balances; returns their value in cents."""
    plant = world.plant
    start = world.horizon.start_ts
    has = np.flatnonzero(stores.on_hand > 0)
    cost = plant.material_costs.value(
        "unit_cost", stores.material[has], np.full(len(has), world.horizon.first_day)
    )
    moves = _Moves()
    moves.add(has, stores, "RECEIPT", stores.on_hand[has], cost, start, "OPENING_BALANCE", NULL_INT)
    world.state["opening_moves"] = moves
    return int(np.sum(np.rint(stores.on_hand[has] / 1000.0 * cost * 100)))


class SupplyMonth:
    """Runs the stock engine over one month."""

    def __init__(self, world: World, chunk: Chunk, stores: Stores, outflows: Outflows) -> None:
        self.world = world
        self.plant: Plant = world.plant
        self.chunk = chunk
        self.stores = stores
        self.rng = world.rng("wms", "stock_engine", chunk)
        self.po_rng = world.rng("erp", "purchase_orders", chunk)
        self.moves = world.state.pop("opening_moves", None) or _Moves()
        o = outflows.arrays()
        if stores.carry is not None:  # issues dated after the previous month's end
            o = {k: np.concatenate([stores.carry[k], o[k]]) for k in o}
        later = o["ts"] // DAY >= chunk.end_day
        stores.carry = {k: v[later] for k, v in o.items()}
        o = {k: v[~later] for k, v in o.items()}
        self.out = o
        self.out_series = (
            stores.index(o["material"], o["warehouse"])
            if len(o["material"])
            else np.zeros(0, dtype=np.int64)
        )
        self.out_day = o["ts"] // DAY
        self.po_rows: dict[str, list] = defaultdict(list)
        self.line_rows: dict[str, list] = defaultdict(list)
        self.gr_rows: dict[str, list] = defaultdict(list)
        self.counts: dict[str, list] = defaultdict(list)
        self.non_production: dict[str, list] = defaultdict(list)

    def run(self) -> None:
        s = self.stores
        out = self.out
        cost_of = self.plant.material_costs
        for day in self.chunk.days:
            day = int(day)
            today = self.out_day == day
            d_series = self.out_series[today]
            outflow = np.bincount(
                d_series, weights=out["qty"][today], minlength=len(s.material)
            ).astype(np.int64)
            std_cost = cost_of.value("unit_cost", s.material, np.full(len(s.material), day))
            # 1. expedited receipts where today's issues exceed the stock
            short = np.flatnonzero(s.on_hand - outflow < 0)
            if len(short):
                need = outflow[short] - s.on_hand[short] + s.safety[short]
                self._purchase(day, short, _round_units(need, s.whole[short]), expedited=True)
            self._arrivals(day, early=True)
            # 2. cycle counts before the first issue of the day
            adj = self._cycle_counts(day, outflow, std_cost)
            # 3. issues and scrap of the day
            if today.any():
                idx = np.flatnonzero(today)
                self.moves.add(
                    d_series,
                    s,
                    out["tx_type"][idx],
                    -out["qty"][idx],
                    std_cost[d_series],
                    out["ts"][idx],
                    out["ref_type"][idx],
                    out["ref_id"][idx],
                )
                s.last_move[d_series] = np.maximum(s.last_move[d_series], out["ts"][idx])
                non_prod = out["ref_type"][idx] != "MATERIAL_CONSUMPTION"
                self._book(
                    day,
                    d_series[non_prod],
                    out["qty"][idx][non_prod],
                    std_cost[d_series[non_prod]],
                    out["ref_type"][idx][non_prod],
                )
            s.on_hand += adj - outflow
            self._damage(day, std_cost)
            if int(day - 4) % 7 == 0:  # lateral transfers are planned on Mondays
                self._transfers(day, std_cost)
            # 4. receipts in the course of the day
            self._arrivals(day, early=False)
            if np.any(s.on_hand < 0):
                raise AssertionError("negative stock")
            # 5. end of day: replenish what fell below its reorder point
            position = s.on_hand + s.on_order
            review = s.review_weekday == (day + 1 + 3) % 7
            low = np.flatnonzero((position < s.rop) & (s.demand > 0) & review)
            if len(low):
                lot = np.maximum(
                    s.max_stock[low] - position[low],
                    _round_units(s.demand[low] * 5000, s.whole[low]),
                )
                self._purchase(day + 1, low, lot, expedited=False)
        self._write()

    def _cycle_counts(self, day: int, outflow: np.ndarray, std_cost: np.ndarray) -> np.ndarray:
        s = self.stores
        n = len(s.material)
        adj = np.zeros(n, dtype=np.int64)
        if (day + 3) % 7 >= 5:  # no counts at weekends
            return adj
        pick = np.flatnonzero(self.rng.random(n) < 1 / 22)
        if not len(pick):
            return adj
        system = s.on_hand[pick]
        exact = self.rng.random(len(pick)) < 0.7
        eps = self.rng.normal(0, 0.015, len(pick)) * np.where(
            self.rng.random(len(pick)) < 0.1, 5, 1
        )
        delta = np.where(exact, 0, system * eps)
        delta = np.where(s.whole[pick], np.round(delta / 1000) * 1000, np.round(delta))
        counted = np.maximum(system + delta, np.maximum(outflow[pick], 0)).astype(np.int64)
        variance = counted - system
        rel = np.abs(variance) / np.maximum(system, 1)
        recount = rel > COUNT_TOLERANCE
        status = np.where(variance == 0, "COUNTED", np.where(recount, "RECOUNT", "ADJUSTED"))
        adjust = (variance != 0) & ~recount
        ts = day * DAY + 20 * MINUTE + self.rng.integers(0, 30 * 60, len(pick))
        first_id = self.world.ids["wms.cycle_counts"].next
        ids = np.arange(first_id, first_id + len(pick))
        self.world.ids["wms.cycle_counts"].next += len(pick)
        c = self.counts
        c["id"].append(ids)
        c["series"].append(pick)
        c["ts"].append(ts)
        c["system"].append(system)
        c["counted"].append(counted)
        c["cost"].append(std_cost[pick])
        c["status"].append(status)
        a = pick[adjust]
        adj[a] = variance[adjust]
        self.moves.add(
            a,
            s,
            "ADJUSTMENT",
            variance[adjust],
            std_cost[a],
            ts[adjust],
            "CYCLE_COUNT",
            ids[adjust],
        )
        self._book(
            day, a, -variance[adjust], std_cost[a], np.full(len(a), "CYCLE_COUNT", dtype=object)
        )
        s.last_move[a] = np.maximum(s.last_move[a], ts[adjust])
        return adj

    def _damage(self, day: int, std_cost: np.ndarray) -> None:
        s = self.stores
        hit = np.flatnonzero((self.rng.random(len(s.material)) < 0.002) & (s.on_hand > 0))
        if not len(hit):
            return
        qty = _round_units(s.on_hand[hit] * self.rng.uniform(0.005, 0.03, len(hit)), s.whole[hit])
        qty = np.minimum(qty, s.on_hand[hit])
        ok = qty > 0
        hit, qty = hit[ok], qty[ok]
        ts = day * DAY + 15 * HOUR + self.rng.integers(0, 3600, len(hit))
        self.moves.add(hit, s, "SCRAP", -qty, std_cost[hit], ts, "WAREHOUSE_DAMAGE", NULL_INT)
        self._book(
            day, hit, qty, std_cost[hit], np.full(len(hit), "WAREHOUSE_DAMAGE", dtype=object)
        )
        s.on_hand[hit] -= qty
        s.last_move[hit] = np.maximum(s.last_move[hit], ts)

    def _transfers(self, day: int, std_cost: np.ndarray) -> None:
        s = self.stores
        materials, counts = np.unique(s.material, return_counts=True)
        for m in materials[counts > 1]:
            idx = np.flatnonzero(s.material == m)
            rich = idx[s.on_hand[idx] > s.max_stock[idx] * 0.9]
            poor = idx[(s.on_hand[idx] + s.on_order[idx] < s.rop[idx]) & (s.demand[idx] > 0)]
            if not len(rich) or not len(poor):
                continue
            a, b = int(rich[0]), int(poor[0])
            qty = min(s.on_hand[a] - s.rop[a], s.rop[b] - s.on_hand[b])
            qty = int(_round_units(np.array([qty]), s.whole[[a]])[0])
            if qty <= 0 or qty > s.on_hand[a]:
                continue
            ts = day * DAY + 12 * HOUR
            ref = self.world.ids["wms.transfers"].one()
            self.moves.add(a, s, "TRANSFER_OUT", -qty, std_cost[a], ts, "TRANSFER", ref)
            self.moves.add(b, s, "TRANSFER_IN", qty, std_cost[b], ts + 30 * MINUTE, "TRANSFER", ref)
            s.on_hand[a] -= qty
            s.on_hand[b] += qty
            s.last_move[[a, b]] = np.maximum(s.last_move[[a, b]], ts)

    def _book(self, day: int, series, qty, cost, kind) -> None:
        """Remember non-production stock consumption for the daily inventory posting."""
        if len(series) == 0:
            return
        self.non_production["day"].append(np.full(len(series), day))
        self.non_production["series"].append(np.asarray(series))
        self.non_production["value"].append(
            np.rint(np.asarray(qty) / 1000.0 * cost * 100).astype(np.int64)
        )
        self.non_production["kind"].append(np.asarray(kind, dtype=object))

    def _purchase(
        self, order_day: int, series: np.ndarray, qty: np.ndarray, expedited: bool
    ) -> None:
        """Purchase orders for the given stock series, one per supplier and factory."""
        plant, s, rng = self.plant, self.stores, self.po_rng
        sup_of = plant.material_suppliers["suppliers"]
        supplier = np.array(
            [
                sup_of[m - 1][0]
                if expedited or rng.random() < 0.7 or len(sup_of[m - 1]) == 1
                else sup_of[m - 1][int(rng.integers(1, len(sup_of[m - 1])))]
                for m in s.material[series]
            ],
            dtype=np.int64,
        )
        factory = s.factory[series]
        groups = defaultdict(list)
        for j, key in enumerate(zip(supplier.tolist(), factory.tolist(), strict=True)):
            groups[key].append(j)
        S = plant.suppliers
        buyers = plant.employees_of("PROCUREMENT")
        for (sup, fac), members in groups.items():
            members = np.array(members)
            ser = series[members]
            q = qty[members]
            po_id = self.world.ids["erp.purchase_orders"].one()
            created = (
                order_day * DAY + 5 * MINUTE
                if expedited
                else order_day * DAY + 8 * HOUR + int(rng.integers(0, 3 * 3600))
            )
            mats = s.material[ser]
            std = plant.material_costs.value("unit_cost", mats, np.full(len(mats), order_day))
            price = np.round(
                std
                * S["price_factor"][sup - 1]
                * rng.uniform(0.97, 1.03, len(ser))
                * (1.08 if expedited else 1.0),
                4,
            )
            amount_c = amount_cents(q / 1000.0, price)
            total = amount_c.sum() / 100.0
            lead = plant.materials["lead_time"][mats - 1]
            due_day = order_day + (0 if expedited else int(lead.max()))
            # approvals: above the threshold a director signs, above the second a CFO too
            approved, rejected, decided_ts, approver = True, False, created, NULL_INT
            if total > APPROVAL_THRESHOLD and not expedited:
                steps = [plant.manager_of("PROCUREMENT")]
                if total > SECOND_APPROVAL:
                    steps.append(plant.manager_of("FINANCE"))
                t = created
                for step, who in enumerate(steps, start=1):
                    decided = t + int(rng.integers(2, 30)) * HOUR
                    reject = rng.random() < 0.07
                    self._approval(po_id, step, who, t, decided, reject)
                    t = decided
                    if reject:
                        rejected = True
                        break
                approved = not rejected
                decided_ts = t
                approver = steps[-1] if approved else NULL_INT
            receipts = (
                []
                if rejected
                else self._plan_receipts(order_day, due_day, ser, q, price, sup, po_id, expedited)
            )
            self._record_po(
                po_id,
                sup,
                fac,
                ser,
                q,
                price,
                amount_c,
                order_day,
                due_day,
                created,
                buyers,
                approver,
                rejected,
                decided_ts,
                receipts,
                expedited,
            )
            if not rejected:
                s.on_order[ser] += q

    def _approval(self, po_id, step, who, submitted, decided, reject) -> None:
        r = self.po_rows
        r["ap_doc"].append(po_id)
        r["ap_step"].append(step)
        r["ap_who"].append(who)
        r["ap_submitted"].append(submitted)
        r["ap_decided"].append(decided)
        r["ap_reject"].append(reject)

    def _plan_receipts(self, order_day, due_day, series, qty, price, sup, po_id, expedited):
        rng, s = self.po_rng, self.stores
        S = self.plant.suppliers
        receipts = []
        for j, ser in enumerate(series):
            line_id = self.world.ids["erp.purchase_order_lines"].next + j
            if expedited:
                day = order_day
                parts = [(day, day * DAY + 5 * MINUTE + int(rng.integers(0, 10 * 60)), qty[j])]
            else:
                late = rng.random() > S["on_time_p"][sup - 1]
                day = due_day + (int(rng.integers(1, 13)) if late else -int(rng.integers(0, 3)))
                day = max(day, order_day + 1)
                if rng.random() < 0.1 and qty[j] >= 2000:
                    first = _round_units(
                        np.array([qty[j] * rng.uniform(0.4, 0.8)]), s.whole[[ser]]
                    )[0]
                    first = min(int(first), int(qty[j]) - 1)
                    second_day = day + int(rng.integers(2, 11))
                    parts = [(day, None, first), (second_day, None, qty[j] - first)]
                else:
                    parts = [(day, None, qty[j])]
            for day_k, ts, q in parts:
                if ts is None:
                    ts = day_k * DAY + 7 * HOUR + int(rng.integers(0, 9 * 3600))
                rejected = 0
                if not expedited and rng.random() < S["reject_p"][sup - 1] * 2:
                    rejected = int(
                        _round_units(np.array([q * rng.uniform(0.02, 0.3)]), s.whole[[ser]])[0]
                    )
                    rejected = min(rejected, int(q))
                rec = Receipt(
                    day_k,
                    int(ts),
                    int(ser),
                    int(q),
                    int(q) - rejected,
                    po_id,
                    line_id,
                    float(price[j]),
                    sup,
                    due_day,
                )
                receipts.append(rec)
                s.pipeline[day_k].append(rec)
        return receipts

    def _record_po(
        self,
        po_id,
        sup,
        fac,
        ser,
        q,
        price,
        amount_c,
        order_day,
        due_day,
        created,
        buyers,
        approver,
        rejected,
        decided_ts,
        receipts,
        expedited,
    ) -> None:
        rng = self.po_rng
        cutoff = self.world.cutoff
        plant = self.plant
        s = self.stores
        n = len(ser)
        line_ids = self.world.take_ids("erp.purchase_order_lines", n)
        received = np.zeros(n, dtype=np.int64)
        accepted_c = 0
        last_receipt = NULL_INT
        first_receipt = NULL_INT
        for rec in receipts:
            if rec.ts < cutoff:
                received[rec.po_line - line_ids[0]] += rec.received
                first_receipt = rec.ts if first_receipt == NULL_INT else min(first_receipt, rec.ts)
            accepted_c += int(amount_cents(rec.accepted / 1000.0, rec.price))
            last_receipt = max(last_receipt, rec.ts)
        # the supplier invoices once everything has arrived
        S = plant.suppliers
        inv = None
        if receipts:
            inv_day = last_receipt // DAY + int(rng.integers(0, 6))
            inv_due = inv_day + int(S["terms"][sup - 1])
            disputed = rng.random() < 0.02
            paid_day = (
                NULL_INT
                if disputed
                else (
                    inv_due - int(rng.integers(0, 6))
                    if rng.random() < 0.9
                    else inv_due + int(rng.integers(5, 31))
                )
            )
            tax_c = int(np.rint(accepted_c * S["tax_rate"][sup - 1]))
            inv = (inv_day, inv_due, paid_day, disputed, accepted_c, tax_c)
        fully = bool(receipts) and all(rec.ts < cutoff for rec in receipts)
        paid = inv is not None and inv[2] != NULL_INT and inv[2] * DAY + 14 * HOUR < cutoff
        invoiced = inv is not None and inv[0] * DAY + 10 * HOUR < cutoff
        if rejected:
            status = "CANCELLED"
        elif fully and paid:
            status = "CLOSED"
        elif fully:
            status = "RECEIVED"
        elif first_receipt != NULL_INT:
            status = "PARTIALLY_RECEIVED"
        else:
            status = "OPEN"
        overdue = invoiced and not paid and inv[1] < cutoff // DAY
        pay_status = "PAID" if paid else ("OVERDUE" if overdue else "UNPAID")
        events = [
            created,
            decided_ts,
            first_receipt,
            last_receipt if fully else NULL_INT,
            inv[2] * DAY + 14 * HOUR if paid else NULL_INT,
        ]
        updated = max((e for e in events if e != NULL_INT and e < cutoff), default=created)
        r = self.po_rows
        r["id"].append(po_id)
        r["supplier"].append(sup)
        r["buyer"].append(int(rng.choice(buyers)))
        r["cc"].append(int(s.cost_center[ser[0]]))
        r["factory"].append(fac)
        r["order_day"].append(order_day)
        r["due_day"].append(due_day)
        r["total"].append(int(amount_c.sum()))
        r["status"].append(status)
        r["pay_status"].append(pay_status)
        r["approver"].append(approver)
        r["created"].append(created)
        r["updated"].append(updated)
        lr = self.line_rows
        lr["id"].append(line_ids)
        lr["po"].append(np.full(n, po_id))
        lr["line_no"].append(np.arange(1, n + 1))
        lr["material"].append(s.material[ser])
        lr["qty"].append(q)
        lr["price"].append(price)
        lr["amount"].append(amount_c)
        lr["due"].append(np.full(n, due_day))
        lr["received"].append(received)
        lr["created"].append(np.full(n, created))
        lr["updated"].append(np.full(n, updated))
        lr["visible"].append(np.full(n, created < cutoff))
        if inv is not None:
            self._invoice(po_id, sup, fac, inv)

    def _invoice(self, po_id, sup, fac, inv) -> None:
        inv_day, due, paid_day, disputed, amount_c, tax_c = inv
        r = self.po_rows
        r["inv_po"].append(po_id)
        r["inv_sup"].append(sup)
        r["inv_day"].append(inv_day)
        r["inv_due"].append(due)
        r["inv_paid"].append(paid_day)
        r["inv_disputed"].append(disputed)
        r["inv_amount"].append(amount_c)
        r["inv_tax"].append(tax_c)
        r["inv_factory"].append(fac)

    def _arrivals(self, day: int, early: bool) -> None:
        s = self.stores
        todays = [r for r in s.pipeline.get(day, []) if (r.ts < day * DAY + HOUR) == early]
        if not todays:
            return
        if not early:
            s.pipeline.pop(day, None)
        for rec in todays:
            s.on_hand[rec.series] += rec.accepted
            s.on_order[rec.series] -= rec.received
            s.last_move[rec.series] = max(s.last_move[rec.series], rec.ts)
            g = self.gr_rows
            g["rec"].append(rec)

    def _write(self) -> None:
        world = self.world
        cutoff = world.cutoff
        chunk = self.chunk
        r = self.po_rows
        if r["id"]:
            ids = np.array(r["id"])
            created = np.array(r["created"], dtype=np.int64)
            vis = created < cutoff
            world.add(
                "erp.purchase_orders",
                purchase_order_id=ids[vis],
                po_number=[f"PO-{i:07d}" for i in ids[vis]],
                supplier_id=np.array(r["supplier"])[vis],
                buyer_employee_id=np.array(r["buyer"])[vis],
                cost_center_id=np.array(r["cc"])[vis],
                factory_id=np.array(r["factory"])[vis],
                order_date=np.array(r["order_day"])[vis],
                due_date=np.array(r["due_day"])[vis],
                currency=["USD"] * int(vis.sum()),
                total_amount=np.array(r["total"])[vis] / 100.0,
                status=np.array(r["status"], dtype=object)[vis],
                payment_status=np.array(r["pay_status"], dtype=object)[vis],
                approved_by_employee_id=np.array(r["approver"], dtype=np.int64)[vis],
                created_at=created[vis],
                updated_at=np.array(r["updated"], dtype=np.int64)[vis],
            )
            lr = {k: np.concatenate(v) for k, v in self.line_rows.items()}
            v = lr["visible"]
            world.add(
                "erp.purchase_order_lines",
                po_line_id=lr["id"][v],
                purchase_order_id=lr["po"][v],
                line_no=lr["line_no"][v],
                material_id=lr["material"][v],
                quantity=lr["qty"][v] / 1000.0,
                unit_price=lr["price"][v],
                line_amount=lr["amount"][v] / 100.0,
                due_date=lr["due"][v],
                quantity_received=lr["received"][v] / 1000.0,
                updated_at=lr["updated"][v],
            )
        self._write_approvals()
        self._write_invoices()
        self._write_receipts()
        self._write_counts()
        self.moves.write(world, chunk)
        self._post_inventory()

    def _write_approvals(self) -> None:
        r = self.po_rows
        if not r["ap_doc"]:
            return
        world = self.world
        cutoff = world.cutoff
        submitted = np.array(r["ap_submitted"], dtype=np.int64)
        decided = np.array(r["ap_decided"], dtype=np.int64)
        vis = submitted < cutoff
        done = decided < cutoff
        reject = np.array(r["ap_reject"])
        n = int(vis.sum())
        world.add(
            "erp.approvals",
            approval_id=world.take_ids("erp.approvals", n),
            document_type=["PURCHASE_ORDER"] * n,
            document_id=np.array(r["ap_doc"])[vis],
            step_no=np.array(r["ap_step"])[vis],
            approver_employee_id=np.array(r["ap_who"])[vis],
            status=np.where(done, np.where(reject, "REJECTED", "APPROVED"), "SUBMITTED")[vis],
            submitted_at=submitted[vis],
            decided_at=np.where(done, decided, NULL_INT)[vis],
            comments=np.where(done & reject, "Quantity exceeds forecast; re-plan", None).astype(
                object
            )[vis],
            updated_at=np.where(done, decided, submitted)[vis],
        )

    def _write_invoices(self) -> None:
        r = self.po_rows
        if not r["inv_po"]:
            return
        world, plant = self.world, self.plant
        cutoff = world.cutoff
        rng = world.rng("supplier", "supplier_invoices", self.chunk)
        inv_day = np.array(r["inv_day"], dtype=np.int64)
        received_ts = inv_day * DAY + 10 * HOUR
        vis = received_ts < cutoff
        order = np.flatnonzero(vis)[np.argsort(received_ts[vis], kind="stable")]
        n = len(order)
        paid_day = np.array(r["inv_paid"], dtype=np.int64)
        paid_ts = np.where(paid_day != NULL_INT, paid_day * DAY + 14 * HOUR, NULL_INT)
        approved_ts = received_ts + rng.integers(1, 6, len(inv_day)) * DAY
        disputed = np.array(r["inv_disputed"])
        status = np.where(
            disputed,
            "DISPUTED",
            np.where(
                happened(paid_ts, cutoff) != NULL_INT,
                "PAID",
                np.where(approved_ts < cutoff, "APPROVED", "RECEIVED"),
            ),
        )
        sup = np.array(r["inv_sup"], dtype=np.int64)
        amount = np.array(r["inv_amount"], dtype=np.int64)
        tax = np.array(r["inv_tax"], dtype=np.int64)
        po = np.array(r["inv_po"], dtype=np.int64)
        world.add(
            "supplier.supplier_invoices",
            invoice_id=world.take_ids("supplier.supplier_invoices", n),
            invoice_number=[
                f"INV-{s:04d}-{p:07d}" for s, p in zip(sup[order], po[order], strict=True)
            ],
            supplier_id=sup[order],
            purchase_order_id=po[order],
            invoice_date=inv_day[order],
            due_date=np.array(r["inv_due"])[order],
            amount=amount[order] / 100.0,
            tax_amount=tax[order] / 100.0,
            status=status[order],
            paid_date=np.where(status == "PAID", paid_day, NULL_INT)[order],
            updated_at=last_change(
                cutoff,
                received_ts,
                np.where(disputed, NULL_INT, approved_ts),
                np.where(disputed, received_ts + 3 * DAY, NULL_INT),
                paid_ts,
            )[order],
        )
        paid = np.flatnonzero(vis & (paid_ts != NULL_INT))
        fac = np.array(r["inv_factory"], dtype=np.int64)
        world.ledger.post(
            ts=paid_ts[paid],
            module="ERP_PURCHASING",
            doc=po[paid],
            description=[f"Supplier payment PO-{p:07d}" for p in po[paid]],
            lines=[
                Line(
                    plant.account("2000"),
                    amount[paid],
                    NULL_INT,
                    fac[paid],
                    "Trade payable settled",
                ),
                Line(plant.account("1150"), tax[paid], NULL_INT, fac[paid], "Input tax"),
                Line(
                    plant.account("1000"), -(amount[paid] + tax[paid]), NULL_INT, NULL_INT, "Bank"
                ),
            ],
        )
        d_rng = world.rng("financial", "disputes_suppliers", self.chunk)
        dis = np.flatnonzero(vis & disputed)
        write_disputes(
            world,
            d_rng,
            "SUPPLIER",
            sup[dis],
            amount[dis] * d_rng.uniform(0.05, 0.3, len(dis)),
            received_ts[dis] + d_rng.integers(2, 10, len(dis)) * DAY,
        )

    def _write_receipts(self) -> None:
        world, plant, s = self.world, self.plant, self.stores
        cutoff = world.cutoff
        recs = [r for r in self.gr_rows.get("rec", []) if r.ts < cutoff]
        if not recs:
            world.state["receipt_stats"] = None
            return
        recs.sort(key=lambda r: r.ts)
        n = len(recs)
        rng = world.rng("erp", "goods_receipts", self.chunk)
        ids = world.take_ids("erp.goods_receipts", n)
        ts = np.array([r.ts for r in recs], dtype=np.int64)
        series = np.array([r.series for r in recs], dtype=np.int64)
        received = np.array([r.received for r in recs], dtype=np.int64)
        accepted = np.array([r.accepted for r in recs], dtype=np.int64)
        price = np.array([r.price for r in recs])
        po = np.array([r.po for r in recs], dtype=np.int64)
        supplier = np.array([r.supplier for r in recs], dtype=np.int64)
        material = s.material[series]
        wh = s.warehouse[series]
        world.add(
            "erp.goods_receipts",
            goods_receipt_id=ids,
            gr_number=[f"GR-{i:07d}" for i in ids],
            purchase_order_id=po,
            po_line_id=np.array([r.po_line for r in recs], dtype=np.int64),
            material_id=material,
            warehouse_id=wh,
            received_at=ts,
            quantity_received=received / 1000.0,
            quantity_accepted=accepted / 1000.0,
            quantity_rejected=(received - accepted) / 1000.0,
        )
        putaway = ts + rng.integers(30, 240, n) * MINUTE
        status = np.where(
            accepted == 0, "REJECTED", np.where(putaway < cutoff, "PUTAWAY", "RECEIVED")
        )
        docks = plant.warehouses["docks"][wh - 1]
        world.add(
            "wms.receiving",
            receiving_id=world.take_ids("wms.receiving", n),
            goods_receipt_id=ids,
            purchase_order_id=po,
            material_id=material,
            warehouse_id=wh,
            received_at=ts,
            quantity=received / 1000.0,
            dock=[f"D{1 + int(x)}" for x in rng.integers(0, 100, n) % docks],
            status=status,
            updated_at=np.where(status == "PUTAWAY", putaway, ts),
        )
        has = accepted > 0
        self.moves.add(
            series[has], s, "RECEIPT", accepted[has], price[has], ts[has], "GOODS_RECEIPT", ids[has]
        )
        # incoming inspection of a sample of every receipt
        whole = s.whole[series]
        units = np.where(whole, received // 1000, 20)
        sample = np.minimum(np.maximum(units, 1), rng.integers(20, 81, n))
        rej_frac = (received - accepted) / np.maximum(received, 1)
        failed = np.where(rej_frac > 0, np.maximum(1, np.round(sample * rej_frac)), 0)
        failed = np.minimum(failed, sample).astype(np.int64)
        fac = s.factory[series]
        inspectors = {f: plant.employees_of("QUALITY", int(f)) for f in np.unique(fac)}
        std = plant.material_costs.value("unit_cost", material, ts // DAY)
        write_inspections(
            world,
            self.chunk,
            Inspections(
                type=np.full(n, "INCOMING", dtype=object),
                factory=fac,
                line=np.full(n, NULL_INT),
                product=np.full(n, NULL_INT),
                material=material,
                supplier=supplier,
                work_order=np.full(n, NULL_INT),
                goods_receipt=ids,
                warehouse=wh,
                ts=ts + rng.integers(30, 180, n) * MINUTE,
                inspector=np.array([rng.choice(inspectors[f]) for f in fac], dtype=np.int64),
                inspected=sample.astype(np.int64),
                failed=failed,
                unit_cost=std,
            ),
            "incoming",
        )
        # ledger: stock at standard, the supplier's price to payables, difference to PPV
        actual_c = amount_cents(accepted / 1000.0, price)
        std_c = np.rint(accepted / 1000.0 * std * 100).astype(np.int64)
        post = np.flatnonzero(has)
        world.ledger.post(
            ts=ts[post] + 10 * MINUTE,
            module="ERP_PURCHASING",
            doc=ids[post],
            description=[f"Goods receipt GR-{i:07d}" for i in ids[post]],
            lines=[
                Line(
                    plant.account("1200"),
                    std_c[post],
                    NULL_INT,
                    fac[post],
                    "Raw materials at standard cost",
                ),
                Line(
                    plant.account("5210"),
                    actual_c[post] - std_c[post],
                    NULL_INT,
                    fac[post],
                    "Purchase price variance",
                ),
                Line(plant.account("2000"), -actual_c[post], NULL_INT, fac[post], "Trade payable"),
            ],
        )
        due = np.array([r.due_day for r in recs], dtype=np.int64)
        world.state["receipt_stats"] = (supplier, ts // DAY <= due, rej_frac, ts)

    def _write_counts(self) -> None:
        c = self.counts
        if not c["id"]:
            return
        world, plant, s = self.world, self.plant, self.stores
        cutoff = world.cutoff
        a = {k: np.concatenate(v) for k, v in c.items()}
        vis = a["ts"] < cutoff
        n = len(a["id"])
        rng = world.rng("wms", "cycle_counts", self.chunk)
        wh = s.warehouse[a["series"]]
        staff = plant.employees_of("LOGISTICS")
        fac_of_staff = plant.employees["factory_id"][staff - 1]
        counters = np.array(
            [
                rng.choice(
                    staff[fac_of_staff == plant.warehouses["factory_id"][w - 1]]
                    if np.any(fac_of_staff == plant.warehouses["factory_id"][w - 1])
                    else staff
                )
                for w in wh
            ],
            dtype=np.int64,
        )
        variance = a["counted"] != a["system"]
        world.add(
            "wms.cycle_counts",
            cycle_count_id=a["id"][vis],
            material_id=s.material[a["series"]][vis],
            warehouse_id=wh[vis],
            counted_at=a["ts"][vis],
            system_quantity=a["system"][vis] / 1000.0,
            counted_quantity=a["counted"][vis] / 1000.0,
            unit_cost=np.round(a["cost"], 4)[vis],
            root_cause=np.where(variance, rng.choice(names.COUNT_ROOT_CAUSES, n), None).astype(
                object
            )[vis],
            counter_employee_id=counters[vis],
            status=a["status"][vis],
            updated_at=np.minimum(a["ts"] + rng.integers(10, 90, n) * MINUTE, cutoff - 1)[vis],
        )

    def _post_inventory(self) -> None:
        """One entry per warehouse and day for stock used outside production."""
        nb = self.non_production
        if not nb["day"]:
            return
        world, plant, s = self.world, self.plant, self.stores
        day = np.concatenate(nb["day"])
        series = np.concatenate(nb["series"])
        value = np.concatenate(nb["value"])
        kind = np.concatenate(nb["kind"])
        wh = s.warehouse[series]
        key = wh * 100_000 + (day - self.chunk.first_day)
        keys, inv = np.unique(key, return_inverse=True)
        cc = plant.cost_centers
        w_of_key = keys // 100_000
        day_of_key = self.chunk.first_day + keys % 100_000
        factory = plant.warehouses["factory_id"][w_of_key - 1]
        maint_cc = np.array(
            [
                int(np.flatnonzero((cc["kind"] == "MAINTENANCE") & (cc["factory_id"] == f))[0]) + 1
                if f != NULL_INT
                else NULL_INT
                for f in factory
            ]
        )
        cc_of_wh = dict(zip(s.warehouse.tolist(), s.cost_center.tolist(), strict=True))
        store_cc = np.array([cc_of_wh[int(w)] for w in w_of_key], dtype=np.int64)
        lines = []
        total = np.zeros(len(keys), dtype=np.int64)
        for k, acct in (
            ("MAINTENANCE_WORK_ORDER", "6200"),
            ("SHIPMENTS", "6210"),
            ("CYCLE_COUNT", "5220"),
            ("WAREHOUSE_DAMAGE", "5220"),
        ):
            sel = kind == k
            amount = np.bincount(inv[sel], weights=value[sel], minlength=len(keys)).astype(np.int64)
            total += amount
            lines.append(
                Line(
                    plant.account(acct),
                    amount,
                    maint_cc if k == "MAINTENANCE_WORK_ORDER" else store_cc,
                    factory,
                    k.replace("_", " ").lower(),
                )
            )
        lines.append(Line(plant.account("1200"), -total, store_cc, factory, "Stock consumed"))
        world.ledger.post(
            ts=day_of_key * DAY + 23 * HOUR + 50 * MINUTE,
            module="WMS",
            description=[f"Stores usage {plant.warehouses['code'][w - 1]}" for w in w_of_key],
            lines=lines,
        )


def write_balances(world: World, stores: Stores) -> None:
    """Closing balances (= the sum of all movements) and the CMMS view of spare parts."""
    plant = world.plant
    s = stores
    n = len(s.material)
    rng = world.rng("wms", "inventory_balances")
    reserved = np.where(
        s.demand > 0, np.minimum(s.on_hand, np.round(s.demand * rng.uniform(0, 2, n)) * 1000), 0
    )
    reserved = np.where(s.whole, reserved // 1000 * 1000, reserved)
    world.add(
        "wms.inventory_balances",
        material_id=s.material,
        warehouse_id=s.warehouse,
        quantity_on_hand=s.on_hand / 1000.0,
        quantity_reserved=reserved / 1000.0,
        reorder_point=s.rop / 1000.0,
        safety_stock=s.safety / 1000.0,
        max_stock=s.max_stock / 1000.0,
        last_movement_at=s.last_move,
        updated_at=s.last_move,
    )
    mat = plant.materials
    spares = mat["material_id"][mat["type"] == "SPARE_PART"]
    on_hand = np.array([s.on_hand[s.material == m].sum() // 1000 for m in spares])
    rop = np.array([s.rop[s.material == m].sum() // 1000 for m in spares])
    last = np.array([s.last_move[s.material == m].max() for m in spares])
    world.add(
        "maintenance.spare_parts",
        part_id=np.arange(1, len(spares) + 1),
        material_id=spares,
        part_number=[f"SP-{mat['code'][m - 1]}" for m in spares],
        description=[mat["name"][m - 1] for m in spares],
        quantity_on_hand=on_hand,
        unit_cost=plant.material_costs.current("unit_cost", len(mat["material_id"]))[spares - 1],
        reorder_point=rop,
        updated_at=last,
    )


def receipt_stats(world: World) -> tuple | None:
    """This month's receipts per supplier (for the supplier scorecards)."""
    return world.state.get("receipt_stats")
