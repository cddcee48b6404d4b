"""One month on the shop floor: work orders, machine states, runs, faults, sensors, labour,
material consumption, maintenance and in-process/final inspections.

Each line runs a sequence of work orders over its scheduled shifts (3 x 8 h a day on the days of
its working week). Every machine-shift is a timeline that tiles the 8 hours: an optional late
start (IDLE) and changeover (SETUP) when a work order begins, preventive maintenance
(PLANNED_DOWNTIME), a 30-minute break, faults (DOWN, one machine_faults row each with the same
start and end), minor stops (IDLE) and RUNNING in between. The run log of the shift derives from
that timeline, so availability, performance and quality add up by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

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
    weekday,
)
from genims_platform.simulator.ledger import Line
from genims_platform.simulator.plant import BREAK_SECONDS, SHIFT_SECONDS, SHIFTS, Plant
from genims_platform.simulator.quality import Inspections, write_inspections
from genims_platform.simulator.world import World

SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
SEVERITY_P = [0.5, 0.3, 0.15, 0.05]
SEVERITY_MEDIAN_MIN = np.array([8.0, 25.0, 70.0, 180.0])
WO_LENGTHS = [2, 3, 4, 5, 6, 8, 9]


@dataclass
class Outflows:
    """Stock leaving warehouses, in thousandths of a unit (exact sums)."""

    material: list = field(default_factory=list)
    warehouse: list = field(default_factory=list)
    ts: list = field(default_factory=list)
    qty: list = field(default_factory=list)
    tx_type: list = field(default_factory=list)
    ref_type: list = field(default_factory=list)
    ref_id: list = field(default_factory=list)

    def extend(self, material, warehouse, ts, qty, tx_type, ref_type, ref_id) -> None:
        n = len(material)
        self.material.append(np.asarray(material, dtype=np.int64))
        self.warehouse.append(np.broadcast_to(np.asarray(warehouse, dtype=np.int64), (n,)))
        self.ts.append(np.asarray(ts, dtype=np.int64))
        self.qty.append(np.asarray(qty, dtype=np.int64))
        self.tx_type.append(np.full(n, tx_type, dtype=object))
        self.ref_type.append(np.full(n, ref_type, dtype=object))
        self.ref_id.append(np.asarray(ref_id, dtype=np.int64))

    def arrays(self) -> dict[str, np.ndarray]:
        if not self.material:
            empty = np.zeros(0, dtype=np.int64)
            return {
                "material": empty,
                "warehouse": empty,
                "ts": empty,
                "qty": empty,
                "tx_type": empty.astype(object),
                "ref_type": empty.astype(object),
                "ref_id": empty,
            }
        return {k: np.concatenate(getattr(self, k)) for k in self.__dataclass_fields__}


def factory_store(plant: Plant, factory: int, kind: str = "RAW_MATERIALS") -> int:
    """The factory's raw-material store, or its MRO store (falls back to the raw store)."""
    w = plant.warehouses
    hit = np.flatnonzero((w["factory_id"] == factory) & (w["type"] == kind))
    if len(hit) == 0:
        hit = np.flatnonzero((w["factory_id"] == factory) & (w["type"] == "RAW_MATERIALS"))
    return int(w["warehouse_id"][hit[0]])


def machine_spares(plant: Plant, machine_id: int) -> np.ndarray:
    spares = plant.materials["material_id"][plant.materials["type"] == "SPARE_PART"]
    k = len(spares)
    return spares[[(machine_id * 3 + j) % k for j in range(min(3, k))]]


class _Timeline:
    """Status intervals of all machines; adjacent RUNNING or unscheduled intervals merge."""

    MERGE: ClassVar[set] = {("RUNNING", None), ("PLANNED_DOWNTIME", "NOT_SCHEDULED")}

    def __init__(self) -> None:
        self.machine: list[int] = []
        self.status: list[str] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.reason: list[str | None] = []
        self.last: dict[int, int] = {}

    def add(self, machine: int, status: str, start: int, end: int, reason: str | None) -> None:
        if end <= start:
            return
        prev = self.last.get(machine)
        if (
            prev is not None
            and self.status[prev] == status
            and self.reason[prev] == reason
            and self.end[prev] == start
            and (status, reason) in self.MERGE
        ):
            self.end[prev] = end
            return
        self.last[machine] = len(self.machine)
        self.machine.append(machine)
        self.status.append(status)
        self.start.append(start)
        self.end.append(end)
        self.reason.append(reason)


def simulate_month(
    world: World, chunk: Chunk, attendance, so_lines: dict, outflows: Outflows
) -> None:
    """Generate the shop floor of one month; material leaving the stores goes to `outflows`."""
    plant = world.plant
    L, M, P = plant.lines, plant.machines, plant.products
    days = chunk.days
    wd = weekday(days)
    n_days = len(days)
    rng_wo = world.rng("manufacturing", "work_orders", chunk)
    rng = world.rng("operations", "production_run_logs", chunk)
    # production machine-shifts of the month: (line, day index, shift, machine)
    plan = []
    for li in range(len(L["line_id"])):
        operating = wd < L["days_per_week"][li]
        prod_shifts = [(di, k) for di in range(n_days) if operating[di] for k in range(3)]
        groups = []
        pos = 0
        while pos < len(prod_shifts):
            size = int(rng_wo.choice(WO_LENGTHS))
            groups.append(prod_shifts[pos : pos + size])
            pos += size
        plan.append((li, operating, groups))
    n_ms = sum(sum(len(g) for g in groups) * int(L["n_machines"][li]) for li, _, groups in plan)
    # random draws for all machine-shifts, made up front so the loop only assembles them
    perf = rng.beta(10, 3, n_ms) * 0.99
    m_ids_pre = (
        np.concatenate(
            [
                np.tile(np.flatnonzero(M["line_id"] == li + 1), sum(len(g) for g in groups))
                for li, _, groups in plan
            ]
        )
        if n_ms
        else np.zeros(0, dtype=np.int64)
    )
    bad = np.where(rng.random(n_ms) < 0.05, rng.uniform(3, 6, n_ms), 1.0)
    n_faults = rng.poisson(M["fault_rate"][m_ids_pre] * bad)
    n_idle = rng.poisson(0.6, n_ms)
    f_total = int(n_faults.sum())
    f_sev = rng.choice(4, f_total, p=SEVERITY_P)
    f_dur = np.maximum(1, np.round(SEVERITY_MEDIAN_MIN[f_sev] * rng.lognormal(0, 0.6, f_total)))
    f_cat = rng.integers(0, len(names.FAULT_CATEGORIES), f_total)
    i_total = int(n_idle.sum())
    i_dur = rng.integers(8, 36, i_total)
    i_reason = rng.integers(0, len(names.IDLE_REASONS), i_total)
    u_pool = rng.random(n_ms * 2 + f_total + i_total)
    k_pool = rng.random(n_ms * 2 + f_total + i_total)
    pm_dur = rng.integers(6, 19, len(M["machine_id"])) * 10
    # work-order attributes
    timeline = _Timeline()
    faults: dict[str, list] = {k: [] for k in ("machine", "start", "end", "sev", "cat")}
    runs: dict[str, list] = {
        k: [] for k in ("machine", "wo", "shift", "start", "planned", "run", "perf")
    }
    pms: dict[str, list] = {k: [] for k in ("machine", "start", "end")}
    wos: dict[str, list] = {
        k: []
        for k in ("line", "product", "first", "last", "delay", "reason", "setup", "mto", "shifts")
    }
    ms = 0
    f_pos = 0
    i_pos = 0
    u_pos = 0
    shift_hours = [s[2] for s in SHIFTS]
    for li, _operating, groups in plan:
        line_id = li + 1
        machines = np.flatnonzero(M["line_id"] == line_id)
        products = np.flatnonzero(P["line_id"] == line_id)
        shares = P["share"][products] / P["share"][products].sum()
        wo_of: dict[tuple[int, int], int] = {}
        for g in groups:
            w = len(wos["line"])
            late = rng_wo.random() < 0.22
            wos["line"].append(line_id)
            wos["product"].append(
                int(P["product_id"][products[rng_wo.choice(len(products), p=shares)]])
            )
            start = days[g[0][0]] * DAY + shift_hours[g[0][1]] * HOUR
            end = days[g[-1][0]] * DAY + shift_hours[g[-1][1]] * HOUR + SHIFT_SECONDS
            wos["first"].append(int(start))
            wos["last"].append(int(end))
            wos["delay"].append(int(min(240, max(10, rng_wo.lognormal(3.5, 0.7)))) if late else 0)
            wos["reason"].append(names.DELAY_REASONS[int(rng_wo.integers(0, 6))] if late else None)
            wos["setup"].append(int(rng_wo.integers(20, 61)))
            wos["mto"].append(bool(rng_wo.random() < 0.25))
            wos["shifts"].append(len(g))
            for j, s in enumerate(g):
                wo_of[s] = w if j else -w - 1  # negative: first shift of the order
        for di in range(n_days):
            day = int(days[di])
            for k in range(3):
                t0 = day * DAY + shift_hours[k] * HOUR
                t1 = t0 + SHIFT_SECONDS
                code = SHIFTS[k][0]
                if (di, k) not in wo_of:
                    for m in machines:
                        timeline.add(
                            int(M["machine_id"][m]), "PLANNED_DOWNTIME", t0, t1, "NOT_SCHEDULED"
                        )
                    continue
                w = wo_of[(di, k)]
                first = w < 0
                w = -w - 1 if first else w
                for m in machines:
                    mid = int(M["machine_id"][m])
                    t = t0
                    if first:
                        delay = wos["delay"][w] * MINUTE
                        timeline.add(mid, "IDLE", t, t + delay, wos["reason"][w])
                        t += delay
                        setup = wos["setup"][w] * MINUTE
                        timeline.add(mid, "SETUP", t, t + setup, "CHANGEOVER")
                        t += setup
                    pm = 0
                    if k == 0 and (day + M["pm_offset"][m]) % M["pm_interval"][m] == 0:
                        # a late start and a changeover leave less room for maintenance
                        pm = max(
                            0, min(int(pm_dur[m]) * MINUTE, t1 - t - 50 * MINUTE - BREAK_SECONDS)
                        )
                    if pm:
                        timeline.add(mid, "PLANNED_DOWNTIME", t, t + pm, "PREVENTIVE_MAINTENANCE")
                        pms["machine"].append(mid)
                        pms["start"].append(t)
                        pms["end"].append(t + pm)
                        t += pm
                    nf, ni = int(n_faults[ms]), int(n_idle[ms])
                    blocks = [("PLANNED_DOWNTIME", BREAK_SECONDS, "BREAK", -1)]
                    room = t1 - t - BREAK_SECONDS - 20 * MINUTE
                    for j in range(nf):
                        dur = int(f_dur[f_pos + j]) * MINUTE
                        dur = min(dur, room)
                        if dur < MINUTE:
                            break
                        room -= dur
                        blocks.append(("DOWN", dur, None, f_pos + j))
                    for j in range(ni):
                        dur = int(i_dur[i_pos + j]) * MINUTE
                        if dur > room:
                            break
                        room -= dur
                        blocks.append(("IDLE", dur, names.IDLE_REASONS[i_reason[i_pos + j]], -1))
                    f_pos += nf
                    i_pos += ni
                    nb = len(blocks)
                    keys = k_pool[u_pos : u_pos + nb]
                    cuts = np.sort(u_pool[u_pos : u_pos + nb])
                    u_pos += nb
                    used = sum(b[1] for b in blocks)
                    run_total = t1 - t - used
                    run_minutes = run_total // MINUTE
                    bounds = (cuts * run_minutes).astype(np.int64) * MINUTE
                    parts = np.diff(np.concatenate(([0], bounds, [run_minutes * MINUTE])))
                    parts[-1] += run_total - run_minutes * MINUTE
                    for j, b in enumerate(np.argsort(keys)):
                        timeline.add(mid, "RUNNING", t, t + int(parts[j]), None)
                        t += int(parts[j])
                        status, dur, reason, fault = blocks[b]
                        if status == "DOWN":
                            faults["machine"].append(mid)
                            faults["start"].append(t)
                            faults["end"].append(t + dur)
                            faults["sev"].append(int(f_sev[fault]))
                            faults["cat"].append(int(f_cat[fault]))
                        timeline.add(mid, status, t, t + dur, reason)
                        t += dur
                    timeline.add(mid, "RUNNING", t, t1, None)
                    runs["machine"].append(mid)
                    runs["wo"].append(w)
                    runs["shift"].append(code)
                    runs["start"].append(t0)
                    runs["planned"].append((SHIFT_SECONDS - BREAK_SECONDS - pm) // MINUTE)
                    runs["run"].append(run_total // MINUTE)
                    runs["perf"].append(perf[ms])
                    ms += 1
    result = _write_operations(world, chunk, timeline, faults, runs, wos)
    wo_ids, units = result
    _write_manufacturing(world, chunk, wos, wo_ids, runs, units, attendance, so_lines, outflows)
    _write_maintenance(world, chunk, faults, pms, outflows)
    _write_sensors(world, chunk, faults)


def _write_operations(world, chunk, timeline, faults, runs, wos):
    plant = world.plant
    M = plant.machines
    cutoff = world.cutoff
    rng = world.rng("operations", "production_run_logs_quality", chunk)
    # equipment status changes, in time order; the interval at the cutoff is still open
    st_start = np.array(timeline.start, dtype=np.int64)
    keep = st_start < cutoff
    order = np.argsort(st_start[keep], kind="stable")
    sel = np.flatnonzero(keep)[order]
    st_end = np.array(timeline.end, dtype=np.int64)[sel]
    ended = np.where(st_end <= cutoff, st_end, NULL_INT)
    world.add(
        "operations.equipment_status_changes",
        status_change_id=world.take_ids("operations.equipment_status_changes", len(sel)),
        machine_id=np.array(timeline.machine, dtype=np.int64)[sel],
        status=np.array(timeline.status, dtype=object)[sel],
        started_at=st_start[sel],
        ended_at=ended,
        reason_code=np.array(timeline.reason, dtype=object)[sel],
        updated_at=np.where(ended != NULL_INT, ended, st_start[sel]),
    )
    # machine faults
    f_start = np.array(faults["start"], dtype=np.int64)
    f_order = np.argsort(f_start, kind="stable")
    for key in faults:
        faults[key] = np.array(faults[key], dtype=np.int64)[f_order]
    f_start = faults["start"]
    n_f = len(f_start)
    faults["id"] = world.take_ids("operations.machine_faults", int(np.sum(f_start < cutoff)))
    faults["id"] = np.concatenate([faults["id"], np.full(n_f - len(faults["id"]), NULL_INT)])
    f_keep = f_start < cutoff
    f_end = np.where(faults["end"] <= cutoff, faults["end"], NULL_INT)
    cats = np.array(names.FAULT_CATEGORIES, dtype=object)[faults["cat"]]
    sev = np.array(SEVERITIES, dtype=object)[faults["sev"]]
    codes = [
        f"{c[:4]}-{(m * 7 + s * 13) % 90 + 10:02d}"
        for c, m, s in zip(cats, faults["machine"], faults["sev"], strict=True)
    ]
    world.add(
        "operations.machine_faults",
        fault_id=faults["id"][f_keep],
        machine_id=faults["machine"][f_keep],
        fault_code=np.array(codes, dtype=object)[f_keep],
        fault_category=cats[f_keep],
        severity=sev[f_keep],
        fault_start=f_start[f_keep],
        fault_end=f_end[f_keep],
        description=np.array(
            [
                f"{s.title()} {c.lower().replace('_', ' ')} fault"
                for s, c in zip(sev, cats, strict=True)
            ],
            dtype=object,
        )[f_keep],
        updated_at=np.where(f_end != NULL_INT, f_end, f_start)[f_keep],
    )
    faults["code"] = np.array(codes, dtype=object)
    faults["keep"] = f_keep
    # work orders get their ids before the run logs that point at them
    wo_first = np.array(wos["first"], dtype=np.int64)
    wo_created = wo_first - (1 + np.arange(len(wo_first)) % 4) * DAY - 5 * HOUR
    wo_ids = np.full(len(wo_first), NULL_INT, dtype=np.int64)
    visible = np.flatnonzero(wo_created < cutoff)
    visible = visible[np.argsort(wo_first[visible], kind="stable")]
    wo_ids[visible] = world.take_ids("manufacturing.work_orders", len(visible))
    # production run logs of completed shifts
    machine = np.array(runs["machine"], dtype=np.int64)
    start = np.array(runs["start"], dtype=np.int64)
    run_min = np.array(runs["run"], dtype=np.int64)
    ict = M["ict"][machine - 1]
    produced = np.floor(run_min * 60 * np.array(runs["perf"]) / ict).astype(np.int64)
    q = M["reject_rate"][machine - 1] * np.where(rng.random(len(machine)) < 0.04, 5.0, 1.0)
    rejected = rng.binomial(produced, np.minimum(q, 0.5))
    units = {
        "machine": machine,
        "start": start,
        "produced": produced,
        "rejected": rejected,
        "run": run_min,
        "wo": np.array(runs["wo"], dtype=np.int64),
    }
    done = start + SHIFT_SECONDS <= cutoff
    order = np.argsort(start[done], kind="stable")
    sel = np.flatnonzero(done)[order]
    wo_index = units["wo"][sel]
    world.add(
        "operations.production_run_logs",
        run_id=world.take_ids("operations.production_run_logs", len(sel)),
        machine_id=machine[sel],
        line_id=M["line_id"][machine[sel] - 1],
        factory_id=M["factory_id"][machine[sel] - 1],
        work_order_id=wo_ids[wo_index],
        product_id=np.array(wos["product"], dtype=np.int64)[wo_index],
        shift_code=np.array(runs["shift"], dtype=object)[sel],
        run_start=start[sel],
        run_end=start[sel] + SHIFT_SECONDS,
        planned_minutes=np.array(runs["planned"], dtype=np.int64)[sel].astype(float),
        run_minutes=run_min[sel].astype(float),
        ideal_cycle_time_s=ict[sel],
        units_produced=produced[sel],
        units_good=(produced - rejected)[sel],
        units_rejected=rejected[sel],
        updated_at=start[sel] + SHIFT_SECONDS + rng.integers(1, 15, len(sel)) * MINUTE,
    )
    units["done"] = done
    return wo_ids, units


def _write_manufacturing(
    world, chunk, wos, wo_ids, runs, units, attendance, so_lines, outflows: Outflows
) -> None:
    plant = world.plant
    M, P, L = plant.machines, plant.products, plant.lines
    cutoff = world.cutoff
    rng = world.rng("manufacturing", "work_order_details", chunk)
    n_wo = len(wos["line"])
    line = np.array(wos["line"], dtype=np.int64)
    product = np.array(wos["product"], dtype=np.int64)
    factory = L["factory_id"][line - 1]
    planned_start = np.array(wos["first"], dtype=np.int64)
    planned_end = np.array(wos["last"], dtype=np.int64)
    delay = np.array(wos["delay"], dtype=np.int64)
    actual_start = planned_start + delay * MINUTE
    # completed quantities: good units of each line's last machine over completed shifts
    last_machine = M["is_last"][units["machine"] - 1] & units["done"]
    completed = np.bincount(
        units["wo"][last_machine],
        weights=(units["produced"] - units["rejected"])[last_machine],
        minlength=n_wo,
    ).astype(np.int64)
    scrap = np.bincount(
        units["wo"][last_machine], weights=units["rejected"][last_machine], minlength=n_wo
    ).astype(np.int64)
    expected = (
        P["units_per_day"][product - 1]
        / np.maximum(P["share"][product - 1], 1e-9)
        / (3 * L["days_per_week"][line - 1] / 7.0)
    )
    qty_planned = np.maximum(
        10, np.round(expected * np.array(wos["shifts"]) * rng.uniform(0.92, 1.1, n_wo) / 10) * 10
    ).astype(int)
    created = planned_start - (1 + np.arange(n_wo) % 4) * DAY - 5 * HOUR
    released = planned_start - 2 * DAY
    finished = planned_end <= cutoff
    started = actual_start < cutoff
    closed_ts = planned_end + 7 * DAY
    status = np.where(
        finished & (closed_ts < cutoff),
        "CLOSED",
        np.where(
            finished,
            "COMPLETED",
            np.where(started, "IN_PROGRESS", np.where(released < cutoff, "RELEASED", "PLANNED")),
        ),
    )
    visible = wo_ids != NULL_INT
    # make-to-order work orders point at a recent order line of the same product
    so_id = np.full(n_wo, NULL_INT, dtype=np.int64)
    if len(so_lines["product"]):
        for w in np.flatnonzero(np.array(wos["mto"]) & visible):
            cand = np.flatnonzero(
                (so_lines["product"] == product[w])
                & (so_lines["order_ts"] < planned_start[w] - DAY)
                & (so_lines["order_ts"] > planned_start[w] - 30 * DAY)
            )
            if len(cand):
                so_id[w] = so_lines["sales_order_id"][cand[-1]]
    world.add(
        "manufacturing.work_orders",
        work_order_id=wo_ids[visible],
        work_order_number=[f"WO-{i:07d}" for i in wo_ids[visible]],
        product_id=product[visible],
        line_id=line[visible],
        factory_id=factory[visible],
        sales_order_id=so_id[visible],
        quantity_planned=qty_planned[visible],
        quantity_completed=completed[visible],
        quantity_scrap=scrap[visible],
        status=status[visible],
        priority=(1 + (np.arange(n_wo) * 7) % 5)[visible],
        planned_start=planned_start[visible],
        planned_end=planned_end[visible],
        actual_start=happened(actual_start, cutoff)[visible],
        actual_end=happened(np.where(finished, planned_end, NULL_INT), cutoff + 1)[visible],
        created_at=created[visible],
        updated_at=last_change(
            cutoff,
            created,
            released,
            actual_start,
            np.where(finished, planned_end, NULL_INT),
            np.where(status == "CLOSED", closed_ts, NULL_INT),
        )[visible],
    )
    world.add(
        "manufacturing.production_schedules",
        schedule_id=world.take_ids("manufacturing.production_schedules", int(visible.sum())),
        line_id=line[visible],
        work_order_id=wo_ids[visible],
        scheduled_start=planned_start[visible],
        scheduled_end=planned_end[visible],
        actual_start=happened(actual_start, cutoff)[visible],
        actual_end=happened(np.where(finished, planned_end, NULL_INT), cutoff + 1)[visible],
        status=np.where(finished, "COMPLETED", np.where(started, "IN_PROGRESS", "SCHEDULED"))[
            visible
        ],
        delay_minutes=delay[visible].astype(float),
        delay_reason=np.array(wos["reason"], dtype=object)[visible],
        updated_at=last_change(
            cutoff, created, actual_start, np.where(finished, planned_end, NULL_INT)
        )[visible],
    )
    # operations: one per machine of the line, in line order
    op_wo, op_machine, op_seq = [], [], []
    for w in np.flatnonzero(visible):
        mids = M["machine_id"][M["line_id"] == line[w]]
        op_wo += [w] * len(mids)
        op_machine += mids.tolist()
        op_seq += list(range(10, 10 * len(mids) + 1, 10))
    op_wo_a = np.array(op_wo, dtype=np.int64)
    op_machine_a = np.array(op_machine, dtype=np.int64)
    op_ids = world.take_ids("manufacturing.work_order_operations", len(op_wo_a))
    done_units = units["done"]
    key_units = units["wo"][done_units] * 100_000 + units["machine"][done_units]
    key_ops = op_wo_a * 100_000 + op_machine_a
    uniq, inv = np.unique(key_units, return_inverse=True)
    minutes = np.bincount(inv, weights=units["run"][done_units])
    pos = np.searchsorted(uniq, key_ops)
    pos_ok = (pos < len(uniq)) & (uniq[np.minimum(pos, len(uniq) - 1)] == key_ops)
    actual_minutes = np.where(pos_ok, minutes[np.minimum(pos, len(uniq) - 1)], np.nan)
    op_status = np.where(
        finished[op_wo_a], "COMPLETED", np.where(started[op_wo_a], "IN_PROGRESS", "PENDING")
    )
    world.add(
        "manufacturing.work_order_operations",
        operation_id=op_ids,
        work_order_id=wo_ids[op_wo_a],
        sequence_no=np.array(op_seq),
        operation_name=np.array(M["type"], dtype=object)[op_machine_a - 1],
        machine_id=op_machine_a,
        planned_minutes=np.round(qty_planned[op_wo_a] * M["ict"][op_machine_a - 1] / 60, 2),
        actual_minutes=actual_minutes,
        status=op_status,
        started_at=happened(actual_start[op_wo_a], cutoff),
        completed_at=happened(
            np.where(finished[op_wo_a], planned_end[op_wo_a], NULL_INT), cutoff + 1
        ),
        updated_at=last_change(
            cutoff,
            created[op_wo_a],
            actual_start[op_wo_a],
            np.where(finished[op_wo_a], planned_end[op_wo_a], NULL_INT),
        ),
    )
    op_lookup = {
        (int(w), int(m)): int(i) for w, m, i in zip(op_wo_a, op_machine_a, op_ids, strict=True)
    }
    _labour(world, chunk, wos, wo_ids, units, attendance, op_lookup)
    consumed = _consumption(world, chunk, wos, wo_ids, units, product, factory, outflows)
    _production_postings(world, chunk, wos, units, product, consumed)
    _inspections(world, chunk, wos, wo_ids, units, product, factory, completed, finished)


def _labour(world, chunk, wos, wo_ids, units, attendance, op_lookup) -> None:
    """One labour booking per operator present on a line-shift with a work order."""
    plant = world.plant
    E, M = plant.employees, plant.machines
    rng = world.rng("manufacturing", "labor_transactions", chunk)
    operators = np.flatnonzero(E["title"] == "Machine Operator")
    first_machine = M["seq"][units["machine"] - 1] == 1
    sel = np.flatnonzero(first_machine & units["done"])
    rows: dict[str, list] = {
        k: [] for k in ("wo", "op", "emp", "line", "shift", "day", "hours", "ts")
    }
    shift_letter = {0: "A", 1: "B", 2: "C"}
    for i in sel:
        w = int(units["wo"][i])
        if wo_ids[w] == NULL_INT:
            continue
        line = wos["line"][w]
        t0 = int(units["start"][i])
        day = t0 // DAY
        k = (t0 % DAY // HOUR - 6) // 8
        crew = operators[(E["line_id"][operators] == line) & (E["shift_no"][operators] == k)]
        present = crew[attendance.present_on(crew, day)]
        mids = M["machine_id"][M["line_id"] == line]
        for j, e in enumerate(present):
            rows["wo"].append(w)
            rows["op"].append(op_lookup.get((w, int(mids[j % len(mids)])), NULL_INT))
            rows["emp"].append(int(e))
            rows["line"].append(line)
            rows["shift"].append(shift_letter[k])
            rows["day"].append(day)
            rows["hours"].append(attendance.hours_on(int(e), day) - 0.5)
            rows["ts"].append(t0 + SHIFT_SECONDS)
    if not rows["wo"]:
        return
    emp = np.array(rows["emp"], dtype=np.int64)
    hours = np.round(np.array(rows["hours"]), 2)
    rate = E["rate"][emp]
    n = len(emp)
    created = np.array(rows["ts"], dtype=np.int64) + rng.integers(5, 40, n) * MINUTE
    keep = created < world.cutoff
    world.add(
        "manufacturing.labor_transactions",
        labor_tx_id=world.take_ids("manufacturing.labor_transactions", int(keep.sum())),
        work_order_id=wo_ids[np.array(rows["wo"])][keep],
        operation_id=np.array(rows["op"], dtype=np.int64)[keep],
        employee_id=E["employee_id"][emp][keep],
        line_id=np.array(rows["line"])[keep],
        shift_code=np.array(rows["shift"], dtype=object)[keep],
        work_date=np.array(rows["day"])[keep],
        hours=hours[keep],
        labor_rate=rate[keep],
        labor_cost=np.round(hours * rate, 2)[keep],
        created_at=created[keep],
    )


def _consumption(world, chunk, wos, wo_ids, units, product, factory, outflows) -> None:
    """Materials are backflushed at the end of each shift for what the line's last machine
    produced (good and rejected units used the same materials), plus 1-5 % scrap."""
    plant = world.plant
    M, bom = plant.machines, plant.bom
    rng = world.rng("manufacturing", "material_consumption", chunk)
    first = np.flatnonzero(M["is_last"][units["machine"] - 1] & (units["produced"] > 0))
    first = first[wo_ids[units["wo"][first]] != NULL_INT]
    if not len(first):
        return []
    w = units["wo"][first]
    p = product[w]
    counts = np.bincount(bom["product_id"], minlength=len(plant.products["product_id"]) + 1)
    reps = counts[p]
    row = np.repeat(np.arange(len(first)), reps)
    starts = np.searchsorted(bom["product_id"], p)
    bom_idx = np.concatenate([np.arange(s, s + c) for s, c in zip(starts, reps, strict=True)])
    material = bom["material_id"][bom_idx]
    each = units["produced"][first][row] * bom["qty"][bom_idx]
    is_ea = plant.materials["uom"][material - 1] == "EA"
    qty = np.where(is_ea, np.round(each), np.round(each, 3))
    scrap_rate = rng.uniform(0.01, 0.05, len(row))
    scrap = np.where(is_ea, np.round(qty * scrap_rate), np.round(qty * scrap_rate, 3))
    consumed = units["start"][first][row] + SHIFT_SECONDS - rng.integers(10, 21, len(row)) * MINUTE
    keep = (consumed < world.cutoff) & (qty > 0)
    order = np.flatnonzero(keep)[np.argsort(consumed[keep], kind="stable")]
    n = len(order)
    ids = world.take_ids("manufacturing.material_consumption", n)
    material = material[order]
    cost = plant.material_costs.value("unit_cost", material, consumed[order] // DAY)
    fac = factory[w][row][order]
    world.add(
        "manufacturing.material_consumption",
        consumption_id=ids,
        work_order_id=wo_ids[w][row][order],
        material_id=material,
        factory_id=fac,
        consumed_at=consumed[order],
        quantity=qty[order],
        scrap_quantity=scrap[order],
        unit_cost=cost,
        created_at=consumed[order] + rng.integers(1, 6, n) * MINUTE,
    )
    stores = np.array(
        [factory_store(plant, int(f)) for f in range(1, len(plant.factories["factory_id"]) + 1)]
    )
    wh = stores[fac - 1]
    milli_q = np.rint(qty[order] * 1000).astype(np.int64)
    milli_s = np.rint(scrap[order] * 1000).astype(np.int64)
    outflows.extend(material, wh, consumed[order], milli_q, "ISSUE", "MATERIAL_CONSUMPTION", ids)
    has_scrap = milli_s > 0
    outflows.extend(
        material[has_scrap],
        wh[has_scrap],
        consumed[order][has_scrap],
        milli_s[has_scrap],
        "SCRAP",
        "MATERIAL_CONSUMPTION",
        ids[has_scrap],
    )
    return [
        (
            consumed[order],
            fac,
            wos_line_cc(plant, wos, w[row][order]),
            np.rint((qty[order] + scrap[order]) * cost * 100).astype(np.int64),
        )
    ]


def wos_line_cc(plant: Plant, wos, w: np.ndarray) -> np.ndarray:
    return plant.lines["cost_center_id"][np.array(wos["line"], dtype=np.int64)[w] - 1]


def _production_postings(world, chunk, wos, units, product, consumed) -> None:
    """Daily per line: finished goods in at standard cost, materials out at actual cost, labour
    and overhead absorbed at standard, the difference to material usage variance."""
    plant = world.plant
    M, L = plant.machines, plant.lines
    last = M["is_last"][units["machine"] - 1] & units["done"]
    idx = np.flatnonzero(last)
    w = units["wo"][idx]
    p = product[w]
    good = (units["produced"] - units["rejected"])[idx]
    day = units["start"][idx] // DAY
    line = np.array(wos["line"], dtype=np.int64)[w]
    costs = plant.product_costs
    v = costs.at(p, day)
    fg = np.rint(good * costs.values["unit_cost"][v] * 100).astype(np.int64)
    lab = np.rint(good * costs.values["labor_cost"][v] * 100).astype(np.int64)
    ovh = np.rint(good * costs.values["overhead_cost"][v] * 100).astype(np.int64)
    n_lines = len(L["line_id"])
    first_day = chunk.first_day
    n_days = chunk.end_day - chunk.first_day
    key = (line - 1) * n_days + (day - first_day)
    size = n_lines * n_days
    fg_sum = np.bincount(key, weights=fg, minlength=size)
    lab_sum = np.bincount(key, weights=lab, minlength=size)
    ovh_sum = np.bincount(key, weights=ovh, minlength=size)
    mat_sum = np.zeros(size)
    if consumed:
        ts, _, cc, value = (np.concatenate(x) for x in zip(*consumed, strict=True))
        line_of_cc = {int(c): i + 1 for i, c in enumerate(L["cost_center_id"])}
        c_line = np.array([line_of_cc[int(c)] for c in cc], dtype=np.int64)
        c_key = (c_line - 1) * n_days + (ts // DAY - first_day)
        ok = (c_key >= 0) & (c_key < size)
        mat_sum = np.bincount(c_key[ok], weights=value[ok], minlength=size)
    active = np.flatnonzero((fg_sum > 0) | (mat_sum > 0))
    if not len(active):
        return
    fg_a = np.rint(fg_sum[active]).astype(np.int64)
    lab_a = np.rint(lab_sum[active]).astype(np.int64)
    ovh_a = np.rint(ovh_sum[active]).astype(np.int64)
    mat_a = np.rint(mat_sum[active]).astype(np.int64)
    line_idx = active // n_days
    post_day = first_day + active % n_days
    cc = L["cost_center_id"][line_idx]
    fac = L["factory_id"][line_idx]
    variance = -(fg_a - mat_a - lab_a - ovh_a)
    world.ledger.post(
        ts=post_day * DAY + 23 * HOUR + 30 * MINUTE,
        module="MES",
        description=[f"Production {L['code'][i]}" for i in line_idx],
        lines=[
            # absorption is a factory-level entry: cost centres keep their real spending
            Line(plant.account("1210"), fg_a, NULL_INT, fac, "Finished goods at standard cost"),
            Line(plant.account("1200"), -mat_a, NULL_INT, fac, "Materials issued to production"),
            Line(plant.account("5110"), -lab_a, NULL_INT, fac, "Labour absorbed"),
            Line(plant.account("5120"), -ovh_a, NULL_INT, fac, "Overhead absorbed"),
            Line(plant.account("5200"), variance, cc, fac, "Material usage variance"),
        ],
    )


def _inspections(world, chunk, wos, wo_ids, units, product, factory, completed, finished):
    """An in-process inspection in the middle of every order, a final one when it completes."""
    plant = world.plant
    rng = world.rng("quality", "inspections_production", chunk)
    visible = np.flatnonzero(wo_ids != NULL_INT)
    first = np.array(wos["first"], dtype=np.int64)
    last = np.array(wos["last"], dtype=np.int64)
    line = np.array(wos["line"], dtype=np.int64)
    n = len(visible)
    mid_ts = first[visible] + (last[visible] - first[visible]) // 2 + rng.integers(0, 60, n) * 60
    fin = visible[finished[visible] & (completed[visible] > 0)]
    fin_ts = last[fin] + rng.integers(15, 90, len(fin)) * MINUTE
    rate = plant.machines["reject_rate"][
        np.searchsorted(plant.machines["line_id"], line) + plant.lines["n_machines"][line - 1] - 1
    ]
    rate = rate * np.where(rng.random(len(rate)) < 0.06, rng.uniform(3, 8, len(rate)), 1.0)
    n_mid = rng.integers(20, 61, n)
    n_fin = np.minimum(completed[fin], rng.integers(50, 201, len(fin)))
    cost = plant.product_costs.value("unit_cost", product, first // DAY)
    inspectors = {f: plant.employees_of("QUALITY", int(f)) for f in np.unique(factory)}
    idx = np.concatenate([visible, fin])
    ins = Inspections(
        type=np.array(["IN_PROCESS"] * n + ["FINAL"] * len(fin), dtype=object),
        factory=factory[idx],
        line=line[idx],
        product=product[idx],
        material=np.full(len(idx), NULL_INT),
        supplier=np.full(len(idx), NULL_INT),
        work_order=wo_ids[idx],
        goods_receipt=np.full(len(idx), NULL_INT),
        warehouse=np.full(len(idx), NULL_INT),
        ts=np.concatenate([mid_ts, fin_ts]),
        inspector=np.array([rng.choice(inspectors[f]) for f in factory[idx]], dtype=np.int64),
        inspected=np.concatenate([n_mid, n_fin]).astype(np.int64),
        # final inspection sees what in-process checks let through: fewer failures
        failed=rng.binomial(
            np.concatenate([n_mid, n_fin]).astype(np.int64),
            np.minimum(rate[idx] * np.r_[np.ones(n), np.full(len(fin), 0.4)], 0.6),
        ),
        unit_cost=cost[idx],
    )
    write_inspections(world, chunk, ins, "production")


def _write_maintenance(world, chunk, faults, pms, outflows: Outflows) -> None:
    """Corrective orders for significant faults, preventive orders from the PM plan, a few
    inspections; their history events and spare parts."""
    plant = world.plant
    M, E = plant.machines, plant.employees
    cutoff = world.cutoff
    rng = world.rng("maintenance", "maintenance_work_orders", chunk)
    f_dur = faults["end"] - faults["start"]
    # short minor faults are cleared by the operator; the rest need a maintenance order
    corrective = faults["keep"] & (
        (faults["sev"] >= 2) | ((faults["sev"] == 1) & (f_dur > 20 * MINUTE))
    )
    ci = np.flatnonzero(corrective)
    nc = len(ci)
    pm_machine = np.array(pms["machine"], dtype=np.int64)
    pm_start = np.array(pms["start"], dtype=np.int64)
    pm_end = np.array(pms["end"], dtype=np.int64)
    npm = len(pm_machine)
    # inspection rounds: a few per factory and month, no downtime
    n_f = len(plant.factories["factory_id"])
    n_insp = rng.poisson(2.0 * np.ones(n_f))
    insp_factory = np.repeat(np.arange(1, n_f + 1), n_insp)
    insp_machine = np.array(
        [rng.choice(M["machine_id"][M["factory_id"] == f]) for f in insp_factory], dtype=np.int64
    )
    insp_start = (
        chunk.first_day + rng.integers(0, chunk.end_day - chunk.first_day, len(insp_factory))
    ) * DAY + 9 * HOUR
    insp_end = insp_start + rng.integers(30, 120, len(insp_factory)) * MINUTE
    machine = np.concatenate([faults["machine"][ci], pm_machine, insp_machine])
    kind = np.array(
        ["CORRECTIVE"] * nc + ["PREVENTIVE"] * npm + ["INSPECTION"] * len(insp_factory),
        dtype=object,
    )
    start_work = np.concatenate(
        [
            np.minimum(
                faults["start"][ci] + rng.integers(2, 21, nc) * MINUTE, faults["end"][ci] - MINUTE
            ),
            pm_start,
            insp_start,
        ]
    )
    reported = np.concatenate(
        [
            faults["start"][ci] + rng.integers(1, 5, nc) * MINUTE,
            pm_start - 7 * DAY,
            insp_start - 3 * DAY,
        ]
    )
    reported = np.minimum(reported, start_work)
    completed = np.concatenate([faults["end"][ci], pm_end, insp_end])
    scheduled = np.concatenate([reported[:nc], pm_start, insp_start])
    n = len(machine)
    keep = reported < cutoff
    order = np.flatnonzero(keep)[np.argsort(reported[keep], kind="stable")]
    ids = world.take_ids("maintenance.maintenance_work_orders", len(order))
    fac = M["factory_id"][machine - 1]
    techs = {f: plant.employees_of("MAINTENANCE", int(f)) for f in np.unique(fac)}
    tech = np.array([rng.choice(techs[f]) for f in fac], dtype=np.int64)
    crew = rng.integers(1, 3, n)
    hours = np.round((completed - start_work) / 3600.0 * crew + rng.uniform(0.1, 0.6, n), 2)
    labor_cost = np.round(hours * E["rate"][tech - 1], 2)
    uses_parts = (kind == "CORRECTIVE") & (rng.random(n) < 0.55) | (
        (kind == "PREVENTIVE") & (rng.random(n) < 0.3)
    )
    parts_cost = np.zeros(n)
    part_rows: dict[str, list] = {"mwo": [], "material": [], "qty": [], "ts": [], "wh": []}
    done = completed <= cutoff
    begun = start_work < cutoff
    for j in range(n):
        if not uses_parts[j] or not keep[j]:
            continue
        spares = machine_spares(plant, int(machine[j]))
        chosen = spares[: int(rng.integers(1, len(spares) + 1))]
        qty = rng.integers(1, 4, len(chosen))
        day = start_work[j] // DAY
        cost = plant.material_costs.value("unit_cost", chosen, np.full(len(chosen), day))
        parts_cost[j] = round(float(np.sum(qty * cost)), 2)
        if begun[j]:
            part_rows["mwo"] += [j] * len(chosen)
            part_rows["material"] += chosen.tolist()
            part_rows["qty"] += qty.tolist()
            part_rows["ts"] += [max(int(start_work[j]), int(day * DAY + HOUR))] * len(chosen)
            part_rows["wh"] += [factory_store(plant, int(fac[j]), "MRO_STORES")] * len(chosen)
    status = np.where(
        done,
        "COMPLETED",
        np.where(begun, "IN_PROGRESS", np.where(scheduled > reported, "SCHEDULED", "OPEN")),
    )
    mwo_id = np.full(n, NULL_INT, dtype=np.int64)
    mwo_id[order] = ids
    severity = np.concatenate([faults["sev"][ci], np.zeros(n - nc, dtype=np.int64)])
    priority = np.where(kind == "CORRECTIVE", np.array(["P3", "P2", "P1", "P1"])[severity], "P4")
    world.add(
        "maintenance.maintenance_work_orders",
        mwo_id=ids,
        mwo_number=[f"MWO-{i:07d}" for i in ids],
        machine_id=machine[order],
        fault_id=np.concatenate([faults["id"][ci], np.full(n - nc, NULL_INT)])[order],
        mwo_type=kind[order],
        priority=np.asarray(priority, dtype=object)[order],
        status=status[order],
        reported_at=reported[order],
        scheduled_for=scheduled[order],
        started_at=happened(start_work, cutoff)[order],
        completed_at=np.where(done, completed, NULL_INT)[order],
        technician_employee_id=tech[order],
        failure_code=np.concatenate([faults["code"][ci], np.full(n - nc, None)])[order],
        labor_hours=np.where(done, hours, 0.0)[order],
        labor_cost=np.where(done, labor_cost, 0.0)[order],
        parts_cost=np.where(begun, parts_cost, 0.0)[order],
        updated_at=last_change(cutoff, reported, start_work, np.where(done, completed, NULL_INT))[
            order
        ],
    )
    # history: reported, started, completed events
    ev_mwo = np.concatenate([order, order, order])
    ev_ts = np.concatenate([reported[order], start_work[order], completed[order]])
    ev_type = np.array(
        ["REPORTED"] * len(order) + ["WORK_STARTED"] * len(order) + ["COMPLETED"] * len(order),
        dtype=object,
    )
    down = np.where(kind == "INSPECTION", 0.0, (completed - start_work) / 60.0)
    ev_down = np.concatenate([np.zeros(2 * len(order)), np.round(down[order], 2)])
    ev_ok = ev_ts < cutoff
    ev_ok &= ~((ev_type == "COMPLETED") & (ev_ts > cutoff))
    srt = np.flatnonzero(ev_ok)[np.argsort(ev_ts[ev_ok], kind="stable")]
    world.add(
        "maintenance.maintenance_history",
        history_id=world.take_ids("maintenance.maintenance_history", len(srt)),
        machine_id=machine[ev_mwo[srt]],
        mwo_id=mwo_id[ev_mwo[srt]],
        event_ts=ev_ts[srt],
        event_type=ev_type[srt],
        downtime_minutes=ev_down[srt],
        notes=np.where(
            ev_type[srt] == "COMPLETED", "Machine handed back to production", None
        ).astype(object),
    )
    if part_rows["mwo"]:
        pm = np.array(part_rows["mwo"])
        outflows.extend(
            part_rows["material"],
            np.array(part_rows["wh"]),
            part_rows["ts"],
            np.array(part_rows["qty"], dtype=np.int64) * 1000,
            "ISSUE",
            "MAINTENANCE_WORK_ORDER",
            mwo_id[pm],
        )


def _write_sensors(world, chunk, faults) -> None:
    """Readings on a fixed grid per point (so months join seamlessly), with slow drift, noise,
    and rising temperature/vibration in the hours before significant faults."""
    plant = world.plant
    pts = plant.scada_points
    cutoff = world.cutoff
    rng = world.rng("operations", "sensor_readings", chunk)
    prng = plant.rng("sensor_profiles")
    n_pts = len(pts["point_id"])
    amp = prng.uniform(0.5, 2.0, n_pts) * pts["noise"]
    period = prng.uniform(5, 40, n_pts) * DAY
    phase = prng.uniform(0, 2 * np.pi, n_pts)
    offset = prng.integers(0, 3600, n_pts)
    start = max(chunk.start_ts, world.horizon.start_ts)
    end = min(chunk.end_ts, cutoff)
    signal = faults["keep"] & (
        (faults["sev"] >= 2) | ((faults["sev"] == 1) & (faults["start"] % 5 < 2))
    )
    sig_machine = faults["machine"][signal]
    sig_start = faults["start"][signal]
    out_point, out_machine, out_ts, out_val = [], [], [], []
    for i in range(n_pts):
        step = int(pts["interval"][i]) * MINUTE
        k0 = -(-(start - offset[i]) // step)
        k1 = -(-(end - offset[i]) // step)
        if k1 <= k0:
            continue
        ts = offset[i] + np.arange(k0, k1, dtype=np.int64) * step
        val = pts["base"][i] + amp[i] * np.sin(2 * np.pi * ts / period[i] + phase[i])
        out_ts.append(ts)
        out_val.append(val)
        out_point.append(np.full(len(ts), i + 1))
        m = pts["machine_id"][i]
        if pts["measurement"][i] in ("TEMPERATURE", "VIBRATION"):
            fs = np.sort(sig_start[sig_machine == m])
            if len(fs):
                nxt = np.searchsorted(fs, ts)
                ok = nxt < len(fs)
                lead = np.where(ok, fs[np.minimum(nxt, len(fs) - 1)] - ts, 10**9)
                ramp = np.clip(1 - lead / (3 * HOUR), 0, 1)
                val += ramp * (pts["high"][i] - pts["base"][i]) * 1.5
        out_machine.append(np.full(len(ts), m))
    if not out_ts:
        return
    ts = np.concatenate(out_ts)
    n = len(ts)
    point = np.concatenate(out_point)
    noise = rng.standard_normal(n) * pts["noise"][point - 1]
    spike = rng.random(n) < 0.0015
    value = (
        np.concatenate(out_val) + noise + spike * rng.uniform(2, 4, n) * pts["noise"][point - 1] * 5
    )
    ts = ts + rng.integers(-90, 91, n)
    ts = np.clip(ts, start, end - 1)
    order = np.argsort(ts, kind="stable")
    flag = np.where(
        rng.random(n) < 0.002, "BAD", np.where(rng.random(n) < 0.005, "UNCERTAIN", "GOOD")
    ).astype(object)
    world.add(
        "operations.sensor_readings",
        reading_id=world.take_ids("operations.sensor_readings", n),
        point_id=point[order],
        machine_id=np.concatenate(out_machine)[order],
        reading_ts=ts[order],
        value=np.round(value[order], 3),
        quality_flag=flag[order],
    )
