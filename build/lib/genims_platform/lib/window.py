"""The window of days one materialisation of a table replaces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Window:
    """A half-open range of days [start, end) that one materialisation replaces."""

    start: date
    end: date

    def chunks(self, days: int) -> list[Window]:
        """Consecutive sub-windows of at most `days` days."""
        out, cursor = [], self.start
        while cursor < self.end:
            nxt = min(cursor + timedelta(days=days), self.end)
            out.append(Window(cursor, nxt))
            cursor = nxt
        return out

    def months(self) -> list[Window]:
        """Consecutive sub-windows that never cross a month boundary (monthly partitions are
        extracted a whole month at a time, so no month is split between two chunks)."""
        out, cursor = [], self.start
        while cursor < self.end:
            following = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
            nxt = min(following, self.end)
            out.append(Window(cursor, nxt))
            cursor = nxt
        return out

    @property
    def params(self) -> dict[str, date]:
        return {"start": self.start, "end": self.end}

    def __str__(self) -> str:
        return f"[{self.start.isoformat()}, {self.end.isoformat()})"
