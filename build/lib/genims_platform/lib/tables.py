"""Declarations of target tables: one `TableSpec` per table; the builder turns them into assets.

A table is declared once: its DDL lives in the MySQL migrations (`genims_platform.lib.schema`),
its transform in `.sql` files run inside the source databases (one `Extract` per database), its
KPI arithmetic that spans databases in an optional `derive` function, and its data tests as data
(`Range`, `Reconcile`). Per-table differences live here, never in copied asset code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

import pandas as pd

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES
from genims_platform.lib.schema import TableSchema, table_schema
from genims_platform.lib.window import Window

if TYPE_CHECKING:
    from genims_platform.lib.checks import CheckOutcome, Relation
    from genims_platform.lib.loader import StagedLoad

Partitioning = Literal["daily", "monthly"]


class WriteMode(Protocol):
    """How staged, tested rows reach the target table.

    `prepare` runs after staging and before the data tests (e.g. to resolve dimension keys in
    the staging table); `publish` makes the staged rows visible, atomically, and returns counts
    for the run's metadata.
    """

    name: str

    def prepare(
        self, load: StagedLoad, spec: TableSpec, window: Window | None
    ) -> dict[str, Any]: ...

    def publish(
        self, load: StagedLoad, spec: TableSpec, window: Window | None, now: datetime
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ReplaceWindow:
    """Delete the window (or the whole table when unpartitioned) and insert the staged rows,
    in one transaction. The default for every table."""

    name: str = "replace_window"

    def prepare(self, load: StagedLoad, spec: TableSpec, window: Window | None) -> dict[str, Any]:
        return {}

    def publish(
        self, load: StagedLoad, spec: TableSpec, window: Window | None, now: datetime
    ) -> dict[str, Any]:
        published = load.publish(now)
        return {"rows_published": published, "rows_replaced": load.stats.rows_deleted}


@dataclass(frozen=True)
class Extract:
    """One query run inside one source database.

    `source` is a logical source database (PostgreSQL) or, for tables built from other target
    tables (aggregates), a logical MySQL database. The first extract of a table drives the row
    set; later ones are joined onto it by `on`.
    `windowed` extracts receive the bound parameters %(start)s and %(end)s (dates, end
    exclusive); the others (small lookups such as product names) run once per materialisation.
    """

    source: str
    sql: str
    reads: tuple[str, ...]
    on: tuple[str, ...] = ()
    how: Literal["left", "inner", "outer"] = "left"
    windowed: bool = True


@dataclass(frozen=True)
class Range:
    """A value rule: `low <= column <= high` (None = unbounded); NULLs are allowed unless the
    column is part of the grain, which has its own not-null test."""

    column: str
    low: float | None = None
    high: float | None = None

    def describe(self) -> str:
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "+inf" if self.high is None else f"{self.high:g}"
        return f"{self.column} in [{low}, {high}]"


@dataclass(frozen=True)
class Reconcile:
    """The table's `expression` over the window must equal an independent total computed by
    `sql` (a query returning one number) in `source`: a source database, or another target
    database (e.g. an analytics fact against the reporting table of the same day).

    A blocking reconciliation (the default) keeps a disagreeing window unpublished. Set
    `blocking=False` where the other side is refreshed on its own schedule and may lag behind
    (another target database): a disagreement is then reported as a warning, not a defect.
    """

    name: str
    source: str
    sql: str
    expression: str
    tolerance: float = 0.01
    # Money computed as quantity x price and rounded per row drifts by cents on large volumes;
    # a relative tolerance (e.g. 1e-9) keeps such a reconciliation exact in spirit.
    relative_tolerance: float = 0.0
    blocking: bool = True


class TableCheck(Protocol):
    """A data test a table declares beyond the built-in ones (e.g. the validity intervals of a
    slowly changing dimension, or the foreign keys of a fact).

    `run` looks at a relation the same way the built-in tests do: the staging table during a
    materialisation, the published table (or window) when the check is executed on its own.
    A failed ERROR outcome of a blocking check keeps the window unpublished.
    """

    name: str
    description: str
    blocking: bool

    def run(self, spec: TableSpec, rel: Relation) -> CheckOutcome: ...


@dataclass(frozen=True)
class TableSpec:
    target: str
    name: str
    description: str
    extracts: tuple[Extract, ...]
    partitioning: Partitioning | None = "daily"
    date_column: str | None = "date"
    category: str = ""
    derive: Callable[[pd.DataFrame, Window], pd.DataFrame] | None = None
    ranges: tuple[Range, ...] = ()
    reconcile: tuple[Reconcile, ...] = ()
    owners: tuple[str, ...] = ("team:data-platform",)
    chunk_days: int = 31
    expect_rows: bool = True
    extra_deps: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    write: WriteMode = field(default_factory=ReplaceWindow)
    checks: tuple[TableCheck, ...] = ()

    def __post_init__(self) -> None:
        if self.target not in TARGET_DATABASES:
            raise ValueError(f"{self.name}: unknown target {self.target!r}")
        if not self.extracts:
            raise ValueError(f"{self.name}: at least one extract is required")
        for logical in [e.source for e in self.extracts] + [r.source for r in self.reconcile]:
            if logical not in SOURCE_DATABASES and logical not in TARGET_DATABASES:
                raise ValueError(f"{self.name}: unknown database {logical!r}")
        if self.extracts[0].on:
            raise ValueError(f"{self.name}: the first extract drives the rows and has no join keys")
        if (self.partitioning is None) != (self.date_column is None):
            raise ValueError(f"{self.name}: a partitioned table needs a date column and vice versa")
        names = [c.name for c in self.checks]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: table checks need distinct names, got {names}")

    @property
    def schema(self) -> TableSchema:
        return table_schema(self.target, self.name)

    @property
    def databases(self) -> tuple[str, ...]:
        """Logical databases the extracts and reconciliations query, without repeats."""
        seen: list[str] = []
        for logical in [e.source for e in self.extracts] + [r.source for r in self.reconcile]:
            if logical not in seen:
                seen.append(logical)
        return tuple(seen)

    @property
    def sources(self) -> tuple[str, ...]:
        """Logical PostgreSQL source databases read, driver first, without repeats."""
        return tuple(d for d in self.databases if d in SOURCE_DATABASES)

    @property
    def reads(self) -> tuple[tuple[str, str], ...]:
        """(logical database, table) pairs this table depends on: source tables, and target
        tables when it is built from other targets."""
        pairs: list[tuple[str, str]] = []
        for extract in self.extracts:
            for table in extract.reads:
                if (extract.source, table) not in pairs:
                    pairs.append((extract.source, table))
        return tuple(pairs)
