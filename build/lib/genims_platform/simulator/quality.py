"""Quality follow-ups shared by in-process/final and incoming inspections: defects for failed
units, non-conformance reports with corrective actions, and quality holds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genims_platform.simulator import names
from genims_platform.simulator.core import DAY, HOUR, NULL_INT, Chunk, happened, last_change
from genims_platform.simulator.world import World


@dataclass
class Inspections:
    """Inspections of one month, before ids are assigned."""

    type: np.ndarray
    factory: np.ndarray
    line: np.ndarray
    product: np.ndarray
    material: np.ndarray
    supplier: np.ndarray
    work_order: np.ndarray
    goods_receipt: np.ndarray
    warehouse: np.ndarray
    ts: np.ndarray
    inspector: np.ndarray
    inspected: np.ndarray
    failed: np.ndarray
    unit_cost: np.ndarray


def result_of(inspected: np.ndarray, failed: np.ndarray) -> np.ndarray:
    rate = failed / np.maximum(inspected, 1)
    return np.where(rate <= 0.02, "PASS", np.where(rate <= 0.06, "CONDITIONAL", "FAIL"))


def write_inspections(world: World, chunk: Chunk, ins: Inspections, source: str) -> None:
    """Inspections, their defects and the NCR/CAPA/hold follow-ups of failed ones."""
    keep = ins.ts < world.cutoff
    if not np.any(keep):
        return
    ins = Inspections(**{k: v[keep] for k, v in ins.__dict__.items()})
    order = np.argsort(ins.ts, kind="stable")
    ins = Inspections(**{k: v[order] for k, v in ins.__dict__.items()})
    n = len(ins.ts)
    rng = world.rng("quality", f"inspections_{source}", chunk)
    ids = world.take_ids("quality.inspections", n)
    result = result_of(ins.inspected, ins.failed)
    prefix = {"INCOMING": "QI", "IN_PROCESS": "QP", "FINAL": "QF"}
    rework = np.round(ins.failed * ins.unit_cost * np.where(ins.type == "INCOMING", 0.0, 0.25), 2)
    world.add(
        "quality.inspections",
        inspection_id=ids,
        inspection_number=[f"{prefix[t]}-{i:07d}" for t, i in zip(ins.type, ids, strict=True)],
        inspection_type=ins.type,
        factory_id=ins.factory,
        line_id=ins.line,
        product_id=ins.product,
        material_id=ins.material,
        supplier_id=ins.supplier,
        work_order_id=ins.work_order,
        goods_receipt_id=ins.goods_receipt,
        inspected_at=ins.ts,
        inspector_employee_id=ins.inspector,
        units_inspected=ins.inspected,
        units_passed=ins.inspected - ins.failed,
        units_failed=ins.failed,
        result=result,
        rework_cost=rework,
        updated_at=np.minimum(ins.ts + rng.integers(5, 90, n) * 60, world.cutoff - 1),
    )
    # defects: failed units split over one to three defect types
    failed_idx = np.flatnonzero(ins.failed > 0)
    d_ins, d_qty = [], []
    for i in failed_idx:
        k = int(min(ins.failed[i], rng.integers(1, 4)))
        parts = rng.multinomial(ins.failed[i] - k, np.full(k, 1.0 / k)) + 1
        d_ins += [i] * k
        d_qty += parts.tolist()
    if d_ins:
        d_ins_a = np.array(d_ins)
        nd = len(d_ins_a)
        dtype = rng.integers(0, len(names.DEFECT_TYPES), nd)
        world.add(
            "quality.defects",
            defect_id=world.take_ids("quality.defects", nd),
            inspection_id=ids[d_ins_a],
            defect_code=[names.DEFECT_TYPES[t][0] for t in dtype],
            defect_category=[names.DEFECT_TYPES[t][1] for t in dtype],
            severity=rng.choice(["CRITICAL", "MAJOR", "MINOR"], nd, p=[0.05, 0.3, 0.65]),
            quantity=np.array(d_qty),
            detected_at=ins.ts[d_ins_a],
            root_cause=np.where(
                rng.random(nd) < 0.6, rng.choice(names.ROOT_CAUSES, nd), None
            ).astype(object),
        )
    _nonconformances(world, chunk, ins, ids, result)
    _holds(world, chunk, ins, result)


def _nonconformances(
    world: World, chunk: Chunk, ins: Inspections, ids: np.ndarray, result: np.ndarray
) -> None:
    rng = world.rng("quality", f"non_conformances_{ins.type[0]}", chunk)
    pick = (result == "FAIL") | ((result == "CONDITIONAL") & (rng.random(len(result)) < 0.2))
    idx = np.flatnonzero(pick)
    if not len(idx):
        return
    n = len(idx)
    opened = ins.ts[idx] + rng.integers(1, 8, n) * HOUR
    closed = opened + rng.integers(5, 45, n) * DAY
    closed_h = happened(closed, world.cutoff)
    under_review = opened + rng.integers(1, 4, n) * DAY
    status = np.where(
        closed_h != NULL_INT,
        "CLOSED",
        np.where(under_review < world.cutoff, "UNDER_REVIEW", "OPEN"),
    )
    ncr_ids = world.take_ids("quality.non_conformances", n)
    severity = np.where(
        ins.failed[idx] / np.maximum(ins.inspected[idx], 1) > 0.15,
        "CRITICAL",
        np.where(result[idx] == "FAIL", "MAJOR", "MINOR"),
    )
    keep = opened < world.cutoff
    world.add(
        "quality.non_conformances",
        ncr_id=ncr_ids[keep],
        ncr_number=[f"NCR-{i:06d}" for i in ncr_ids[keep]],
        inspection_id=ids[idx][keep],
        product_id=ins.product[idx][keep],
        material_id=ins.material[idx][keep],
        supplier_id=ins.supplier[idx][keep],
        description=[
            f"{int(f)} of {int(u)} units failed {t.lower().replace('_', '-')} inspection"
            for f, u, t in zip(
                ins.failed[idx][keep], ins.inspected[idx][keep], ins.type[idx][keep], strict=True
            )
        ],
        severity=severity[keep],
        status=status[keep],
        opened_at=opened[keep],
        closed_at=closed_h[keep],
        cost_impact=np.round(
            ins.failed[idx][keep]
            * ins.unit_cost[idx][keep]
            * rng.uniform(1.0, 3.0, int(keep.sum())),
            2,
        ),
        updated_at=last_change(world.cutoff, opened, under_review, closed)[keep],
    )
    # one corrective action per NCR, a preventive one for some
    owners = world.plant.employees_of("QUALITY")
    k = 1 + (rng.random(n) < 0.4)
    c_ncr = np.repeat(np.arange(n), k)
    first = np.append(True, c_ncr[1:] != c_ncr[:-1])
    m = len(c_ncr)
    c_open = opened[c_ncr] + rng.integers(1, 48, m) * HOUR
    due = c_open // DAY + rng.integers(14, 45, m)
    done = np.where(rng.random(m) < 0.85, c_open + rng.integers(3, 60, m) * DAY, NULL_INT)
    done_h = happened(done, world.cutoff)
    started = c_open + rng.integers(1, 5, m) * DAY
    cutoff_day = world.cutoff // DAY
    status = np.where(
        done_h != NULL_INT,
        "DONE",
        np.where(
            due < cutoff_day, "OVERDUE", np.where(started < world.cutoff, "IN_PROGRESS", "OPEN")
        ),
    )
    keep = c_open < world.cutoff
    cids = world.take_ids("quality.corrective_actions", int(keep.sum()))
    world.add(
        "quality.corrective_actions",
        capa_id=cids,
        ncr_id=ncr_ids[c_ncr][keep],
        action_type=np.where(first, "CORRECTIVE", "PREVENTIVE")[keep],
        description=np.where(
            first, "Contain and correct root cause", "Update control plan and train operators"
        )[keep],
        owner_employee_id=rng.choice(owners, m)[keep],
        due_date=due[keep],
        completed_at=done_h[keep],
        status=status[keep],
        effectiveness=np.where(
            done_h != NULL_INT,
            rng.choice(["EFFECTIVE", "PARTIALLY_EFFECTIVE"], m, p=[0.8, 0.2]),
            None,
        ).astype(object)[keep],
        updated_at=last_change(world.cutoff, c_open, started, done)[keep],
    )


def _holds(world: World, chunk: Chunk, ins: Inspections, result: np.ndarray) -> None:
    rng = world.rng("quality", f"quality_holds_{ins.type[0]}", chunk)
    idx = np.flatnonzero((result == "FAIL") & (rng.random(len(result)) < 0.7))
    if not len(idx):
        return
    n = len(idx)
    placed = ins.ts[idx] + rng.integers(10, 120, n) * 60
    released = placed + rng.integers(1, 20, n) * DAY + rng.integers(0, 8, n) * HOUR
    released_h = happened(released, world.cutoff)
    keep = placed < world.cutoff
    n_k = int(keep.sum())
    ids = world.take_ids("quality.quality_holds", n_k)
    staff = world.plant.employees_of("QUALITY")
    is_released = released_h != NULL_INT
    world.add(
        "quality.quality_holds",
        hold_id=ids,
        hold_number=[f"QH-{i:06d}" for i in ids],
        material_id=ins.material[idx][keep],
        product_id=ins.product[idx][keep],
        warehouse_id=ins.warehouse[idx][keep],
        quantity=np.round(np.maximum(ins.failed[idx], 1) * rng.uniform(3, 12, n), 0)[keep],
        reason=[f"{t.replace('_', '-').lower()} inspection failed" for t in ins.type[idx][keep]],
        placed_at=placed[keep],
        placed_by_employee_id=rng.choice(staff, n)[keep],
        released_at=released_h[keep],
        released_by_employee_id=np.where(is_released, rng.choice(staff, n), NULL_INT)[keep],
        disposition=np.where(
            is_released,
            rng.choice(
                ["RELEASE", "REWORK", "SCRAP", "RETURN_TO_VENDOR"], n, p=[0.5, 0.3, 0.12, 0.08]
            ),
            None,
        ).astype(object)[keep],
        analysis_performed=np.where(
            is_released, "Sample re-inspection and root cause analysis", None
        ).astype(object)[keep],
        root_cause=np.where(is_released, rng.choice(names.ROOT_CAUSES, n), None).astype(object)[
            keep
        ],
        updated_at=last_change(world.cutoff, placed, released)[keep],
    )
