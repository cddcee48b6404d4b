"""Shared machinery of the simulator: random streams, the simulated clock, scale and row frames.

Time inside the simulator is integer seconds since the Unix epoch (UTC) and dates are integer days
since the epoch; the loader turns them into `timestamptz`/`date` text. Integers use `NULL_INT` for
SQL NULL, floats use NaN and text uses None, so every column stays a plain numpy array or list.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

DAY = 86_400
HOUR = 3_600
MINUTE = 60
NULL_INT = np.iinfo(np.int64).min
OPEN_END_DAY = (date(9999, 12, 31) - date(1970, 1, 1)).days
SIMULATOR_APP = "genims-simulator"


def stream(seed: int, module: str, table: str, chunk: int = 0) -> np.random.Generator:
    """An independent random stream for one (module, table, chunk).

    Names are hashed with CRC-32 (stable across processes, unlike `hash`), so adding a table or
    changing the order in which tables are generated never changes another table's numbers.
    """
    key = [seed % 2**63, zlib.crc32(module.encode()), zlib.crc32(table.encode()), chunk % 2**63]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(key)))


def epoch_day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def day_to_date(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(day))


def weekday(days: np.ndarray | int) -> np.ndarray | int:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7 if isinstance(days, np.ndarray) else (days + 3) % 7


def month_key(day: int) -> int:
    d = day_to_date(day)
    return d.year * 12 + d.month - 1


def month_start(key: int) -> int:
    return epoch_day(date(key // 12, key % 12 + 1, 1))


@dataclass(frozen=True)
class Chunk:
    """One calendar month of history (the unit of generation and of random streams)."""

    key: int
    first_day: int
    end_day: int  # exclusive

    @property
    def days(self) -> np.ndarray:
        return np.arange(self.first_day, self.end_day, dtype=np.int64)

    @property
    def start_ts(self) -> int:
        return self.first_day * DAY

    @property
    def end_ts(self) -> int:
        return self.end_day * DAY


@dataclass(frozen=True)
class Horizon:
    """The simulated history: `first_day` .. `last_day` inclusive, observed up to `cutoff_ts`."""

    first_day: int
    last_day: int
    cutoff_ts: int

    @classmethod
    def ending(cls, end_date: date, days: int, now: datetime | None = None) -> Horizon:
        last = epoch_day(end_date)
        cutoff = (last + 1) * DAY
        wall = int((now or datetime.now(UTC)).timestamp())
        # Rows dated after the wall clock would hide later live writes from watermark readers, so
        # a history that ends today stops at the current hour.
        cutoff = min(cutoff, wall - wall % HOUR)
        return cls(last - days + 1, last, cutoff)

    @property
    def start_ts(self) -> int:
        return self.first_day * DAY

    @property
    def n_days(self) -> int:
        return self.last_day - self.first_day + 1

    @property
    def cutoff_day(self) -> int:
        return (self.cutoff_ts - 1) // DAY

    def chunks(self) -> Iterator[Chunk]:
        key = month_key(self.first_day)
        while True:
            start = max(month_start(key), self.first_day)
            if start > self.last_day:
                return
            end = min(month_start(key + 1), self.last_day + 1)
            yield Chunk(key, start, end)
            key += 1

    def months(self) -> list[int]:
        return [c.key for c in self.chunks()]


@dataclass(frozen=True)
class Scale:
    """How big the plant is. Entities grow with the square root of the scale factor (with floors
    so SF0.01 is still a complete plant); free-flow activity grows linearly."""

    factor: float

    def entities(self, base: float, minimum: int) -> int:
        return max(minimum, round(base * math.sqrt(self.factor)))

    def rate(self, base_per_day: float, minimum: float = 0.0) -> float:
        return max(minimum, base_per_day * self.factor)


class IdSequence:
    """Hands out consecutive ids for one table; ids therefore follow generation order."""

    def __init__(self, start: int = 1) -> None:
        self.next = start

    def take(self, n: int) -> np.ndarray:
        ids = np.arange(self.next, self.next + n, dtype=np.int64)
        self.next += n
        return ids

    def one(self) -> int:
        value = self.next
        self.next += 1
        return value


@dataclass
class Frame:
    """A batch of rows for one table, column by column ("<logical>.<table>")."""

    table: str
    columns: dict[str, Any]

    def __len__(self) -> int:
        first = next(iter(self.columns.values()), [])
        return len(first)

    def select(self, mask: np.ndarray) -> Frame:
        """The rows where `mask` is true."""
        idx = np.flatnonzero(mask)
        out = {}
        for name, values in self.columns.items():
            if isinstance(values, np.ndarray):
                out[name] = values[idx]
            else:
                out[name] = [values[i] for i in idx]
        return Frame(self.table, out)


@dataclass
class Output:
    """Frames produced by a generator step."""

    frames: list[Frame] = field(default_factory=list)

    def add(self, table: str, **columns: Any) -> None:
        self.frames.append(Frame(table, columns))


def amount_cents(
    qty: np.ndarray, price: np.ndarray, discount_pct: np.ndarray | float = 0.0
) -> np.ndarray:
    """round(qty * price * (1 - discount/100), 2) in cents, computed exactly in integers (the
    way PostgreSQL's numeric rounds: half away from zero) for qty with 3 decimals, price with 4
    and discounts in tenths of a percent."""
    q = np.rint(np.asarray(qty, dtype=float) * 1000).astype(np.int64)
    p = np.rint(np.asarray(price, dtype=float) * 10_000).astype(np.int64)
    d = np.rint(np.asarray(discount_pct, dtype=float) * 10).astype(np.int64)
    numerator = q * p * (1000 - d)
    return (numerator + 50_000_000) // 100_000_000


def last_change(cutoff_ts: int, *event_ts: np.ndarray) -> np.ndarray:
    """Latest of the given event times that already happened (<= cutoff); the `updated_at` of a
    row whose life is known in advance."""
    stacked = np.vstack([np.asarray(e, dtype=np.int64) for e in event_ts])
    happened = np.where((stacked != NULL_INT) & (stacked < cutoff_ts), stacked, NULL_INT)
    return happened.max(axis=0)


def happened(ts: np.ndarray, cutoff_ts: int) -> np.ndarray:
    """The event time where it is before the cutoff, else NULL."""
    ts = np.asarray(ts, dtype=np.int64)
    return np.where((ts != NULL_INT) & (ts < cutoff_ts), ts, NULL_INT)
