"""The general ledger: business events post balanced journal entries, written in date order.

A posting batch is n entries that share a shape: each line template is an account with a signed
amount per entry (in cents; positive = debit, negative = credit) and optional cost centre and
factory. Every entry must sum to zero, so an unbalanced entry is a bug caught at posting time.
Entries wait in the ledger until the month they are dated in is written, so journal ids follow
the calendar even when an event's postings are known months ahead (an order's collection).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from genims_platform.simulator.core import NULL_INT, IdSequence

AUTOMATED_POSTER = "svc_erp_integration"


@dataclass
class Line:
    account: int
    amount: np.ndarray  # signed cents per entry
    cost_center: np.ndarray | int = NULL_INT
    factory: np.ndarray | int = NULL_INT
    text: str | None = None


@dataclass
class _Batch:
    ts: np.ndarray
    module: str
    doc: np.ndarray
    description: list[str]
    lines: list[Line]
    posted_by: np.ndarray
    approver: np.ndarray
    status: np.ndarray
    reversal_of: tuple[_Batch, np.ndarray] | None
    updated: np.ndarray
    ids: np.ndarray = field(init=False)
    done: np.ndarray = field(init=False)
    order: int = 0

    def __post_init__(self) -> None:
        self.ids = np.zeros(len(self.ts), dtype=np.int64)
        self.done = np.zeros(len(self.ts), dtype=bool)


def _broadcast(value, n: int) -> np.ndarray:
    arr = np.asarray(value, dtype=np.int64)
    return np.full(n, int(arr), dtype=np.int64) if arr.ndim == 0 else arr


class Ledger:
    """Collects postings and writes journal entries and lines month by month."""

    def __init__(self) -> None:
        self._pending: list[_Batch] = []
        self._entry_ids = IdSequence()
        self._line_ids = IdSequence()
        self._order = 0

    def post(
        self,
        *,
        ts: np.ndarray,
        module: str,
        description: str | list[str],
        lines: list[Line],
        doc: np.ndarray | None = None,
        posted_by: str | list[str] = AUTOMATED_POSTER,
        approver: np.ndarray | int = NULL_INT,
        reverses: tuple[_Batch, np.ndarray] | None = None,
        reversed_at: np.ndarray | None = None,
    ) -> _Batch | None:
        """Post n balanced entries at times `ts`. `reversed_at` marks entries that a later
        reversal undoes (their status is REVERSED once that time has passed)."""
        ts = np.asarray(ts, dtype=np.int64)
        n = len(ts)
        if n == 0:
            return None
        total = np.zeros(n, dtype=np.int64)
        for line in lines:
            line.amount = np.asarray(line.amount, dtype=np.int64)
            total += line.amount
        if np.any(total != 0):
            raise AssertionError(f"unbalanced {module} posting: {total[total != 0][:5]}")
        # an entry whose lines are all zero (a day without usage, a month without profit) is
        # not an entry at all
        used = np.zeros(n, dtype=bool)
        for line in lines:
            used |= line.amount != 0
        if not used.all() and reverses is None:
            keep = np.flatnonzero(used)
            for line in lines:
                line.amount = line.amount[keep]
                for attr in ("cost_center", "factory"):
                    value = np.asarray(getattr(line, attr))
                    if value.ndim:
                        setattr(line, attr, value[keep])
            ts = ts[keep]
            n = len(ts)
            if isinstance(description, list):
                description = [description[i] for i in keep]
            if not isinstance(posted_by, str):
                posted_by = [posted_by[i] for i in keep]
            if doc is not None and np.ndim(doc):
                doc = np.asarray(doc)[keep]
            if np.ndim(approver):
                approver = np.asarray(approver)[keep]
            if reversed_at is not None:
                reversed_at = reversed_at[keep]
            if n == 0:
                return None
        descr = [description] * n if isinstance(description, str) else list(description)
        poster = np.array(
            [posted_by] * n if isinstance(posted_by, str) else posted_by, dtype=object
        )
        status = np.full(n, "POSTED", dtype=object)
        updated = ts.copy()
        if reversed_at is not None:
            status = np.where(reversed_at != NULL_INT, "REVERSED", "POSTED").astype(object)
            updated = np.where(reversed_at != NULL_INT, reversed_at, ts)
        batch = _Batch(
            ts=ts,
            module=module,
            doc=_broadcast(NULL_INT if doc is None else doc, n),
            description=descr,
            lines=lines,
            posted_by=poster,
            approver=_broadcast(approver, n),
            status=status,
            reversal_of=reverses,
            updated=updated,
        )
        batch.order = self._order
        self._order += 1
        self._pending.append(batch)
        return batch

    def flush(self, before_ts: int, cutoff_ts: int, emit) -> None:
        """Write every pending entry dated before `before_ts`; entries at or after the cutoff
        never happened and are dropped."""
        ready = []
        keep = []
        for batch in self._pending:
            due = ~batch.done & (batch.ts < before_ts)
            write = np.flatnonzero(due & (batch.ts < cutoff_ts))
            if len(write):
                ready.append((batch, write))
            batch.done |= due
            if not batch.done.all() and before_ts < cutoff_ts:
                keep.append(batch)
        self._pending = keep
        if ready:
            self._write(ready, emit)

    def _write(self, ready: list[tuple[_Batch, np.ndarray]], emit) -> None:
        ts = np.concatenate([b.ts[i] for b, i in ready])
        order = np.concatenate([np.full(len(i), b.order) for b, i in ready])
        pos = np.concatenate([i for _, i in ready])
        sort = np.lexsort((pos, order, ts))
        ids = np.empty(len(ts), dtype=np.int64)
        ids[sort] = self._entry_ids.take(len(ts))
        offset = 0
        entries: dict[str, list] = {
            k: []
            for k in (
                "id",
                "ts",
                "module",
                "doc",
                "descr",
                "status",
                "poster",
                "approver",
                "reversal",
                "updated",
            )
        }
        line_cols: dict[str, list] = {
            k: [] for k in ("entry", "tpl", "account", "cc", "factory", "amount", "ts", "text")
        }
        for batch, idx in ready:
            n = len(idx)
            my_ids = ids[offset : offset + n]
            offset += n
            batch.ids[idx] = my_ids
            entries["id"].append(my_ids)
            entries["ts"].append(batch.ts[idx])
            entries["module"] += [batch.module] * n
            entries["doc"].append(batch.doc[idx])
            entries["descr"] += [batch.description[i] for i in idx]
            entries["status"].append(batch.status[idx])
            entries["poster"].append(batch.posted_by[idx])
            entries["approver"].append(batch.approver[idx])
            entries["updated"].append(batch.updated[idx])
            if batch.reversal_of is not None:
                original, mapping = batch.reversal_of
                entries["reversal"].append(original.ids[mapping[idx]])
            else:
                entries["reversal"].append(np.full(n, NULL_INT, dtype=np.int64))
            for t, line in enumerate(batch.lines):
                amount = line.amount[idx]
                keep = amount != 0
                k = int(keep.sum())
                line_cols["entry"].append(my_ids[keep])
                line_cols["tpl"].append(np.full(k, t))
                line_cols["account"].append(np.full(k, line.account))
                line_cols["cc"].append(_broadcast(line.cost_center, len(batch.ts))[idx][keep])
                line_cols["factory"].append(_broadcast(line.factory, len(batch.ts))[idx][keep])
                line_cols["amount"].append(amount[keep])
                line_cols["ts"].append(batch.ts[idx][keep])
                line_cols["text"] += [line.text] * k
        e_id = np.concatenate(entries["id"])
        e_order = np.argsort(e_id)
        e_ts = np.concatenate(entries["ts"])[e_order]
        years = e_ts.astype("datetime64[s]").astype("datetime64[Y]").astype(int) + 1970
        sorted_ids = e_id[e_order]
        emit(
            "financial.journal_entries",
            dict(
                journal_entry_id=sorted_ids,
                entry_number=[
                    f"JE-{y}-{i:07d}"
                    for y, i in zip(years.tolist(), sorted_ids.tolist(), strict=True)
                ],
                entry_date=e_ts // 86_400,
                period_id=self._period_of(e_ts // 86_400),
                source_module=np.array(entries["module"], dtype=object)[e_order],
                source_document_id=np.concatenate(entries["doc"])[e_order],
                description=np.array(entries["descr"], dtype=object)[e_order],
                status=np.concatenate(entries["status"])[e_order],
                posted_by=np.concatenate(entries["poster"])[e_order],
                approved_by_employee_id=np.concatenate(entries["approver"])[e_order],
                reversal_of_id=np.concatenate(entries["reversal"])[e_order],
                created_at=e_ts,
                updated_at=np.concatenate(entries["updated"])[e_order],
            ),
        )
        entry = np.concatenate(line_cols["entry"])
        tpl = np.concatenate(line_cols["tpl"])
        lsort = np.lexsort((tpl, entry))
        entry = entry[lsort]
        starts = np.flatnonzero(np.append(True, entry[1:] != entry[:-1]))
        counts = np.diff(np.append(starts, len(entry)))
        line_no = np.arange(len(entry)) - np.repeat(starts, counts) + 1
        amount = np.concatenate(line_cols["amount"])[lsort]
        emit(
            "financial.journal_entry_lines",
            dict(
                journal_line_id=self._line_ids.take(len(entry)),
                journal_entry_id=entry,
                line_no=line_no,
                account_id=np.concatenate(line_cols["account"])[lsort],
                cost_center_id=np.concatenate(line_cols["cc"])[lsort],
                factory_id=np.concatenate(line_cols["factory"])[lsort],
                debit=np.where(amount > 0, amount, 0) / 100.0,
                credit=np.where(amount < 0, -amount, 0) / 100.0,
                description=np.array(line_cols["text"], dtype=object)[lsort],
                created_at=np.concatenate(line_cols["ts"])[lsort],
            ),
        )

    def set_periods(self, start_days: np.ndarray) -> None:
        self._period_starts = np.asarray(start_days, dtype=np.int64)

    def _period_of(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._period_starts, days, side="right").astype(np.int64)

    def balances(self, start_ts: int, end_ts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(account, cost centre, signed cents) of the pending lines dated in [start, end)."""
        acc, cc, amt = [], [], []
        for batch in self._pending:
            sel = ~batch.done & (batch.ts >= start_ts) & (batch.ts < end_ts)
            if not sel.any():
                continue
            n = len(batch.ts)
            for line in batch.lines:
                acc.append(np.full(int(sel.sum()), line.account))
                cc.append(_broadcast(line.cost_center, n)[sel])
                amt.append(line.amount[sel])
        if not acc:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return np.concatenate(acc), np.concatenate(cc), np.concatenate(amt)
