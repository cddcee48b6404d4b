"""Retention of the reporting database: a rolling window of `REPORTING_RETENTION_MONTHS`.

Every reporting table is partitioned by the date column its `TableSpec` declares (daily, or
monthly for the monthly tables), the same partitions the builder writes. The *horizon* of a run
is the same calendar day `months` months before the run day (clamped to the month's last day).
A partition is removed when it ends on or before the horizon: a daily partition dated before
the horizon, a monthly partition whose month ended by then. The current months are never
touched.

Each partition is deleted in chunks of at most `chunk_rows` rows, one short transaction per
chunk (`DELETE ... LIMIT`, on the date column that leads every reporting table's primary key),
so readers and the hourly refresh are never blocked for long. A backfill that re-creates an old
partition is removed again by the next run.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from genims_platform.lib.mysql import quote_ident
from genims_platform.lib.sqlfiles import load_sql
from genims_platform.lib.tables import TableSpec
from genims_platform.lib.window import Window
from genims_platform.operations.retention_log import RetentionAction


def horizon(today: date, months: int) -> date:
    """The first day kept: `today` minus `months` calendar months."""
    index = today.year * 12 + (today.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _month(day: date) -> Window:
    following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return Window(day.replace(day=1), following)


@dataclass
class ReportingPlan:
    """The partitions of one reporting table to remove, with their row counts."""

    spec: TableSpec
    boundary: date
    partitions: dict[Window, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.partitions.values())

    @property
    def by_partition(self) -> dict[str, int]:
        """Rows per partition (its first day), oldest first."""
        return {
            w.start.isoformat(): n
            for w, n in sorted(self.partitions.items(), key=lambda i: i[0].start)
        }

    @property
    def window(self) -> Window:
        return Window(min(p.start for p in self.partitions), self.boundary)


def partition_of(spec: TableSpec, day: date) -> Window:
    """The builder's partition of a row dated `day`."""
    if spec.partitioning == "monthly":
        return _month(day)
    return Window(day, day + timedelta(days=1))


def plan_reporting(cur, specs: Iterable[TableSpec], keep_from: date) -> list[ReportingPlan]:
    """Partitions that end on or before `keep_from`, per table (tables without any omitted)."""
    plans = []
    for spec in specs:
        if spec.partitioning is None or spec.date_column is None:
            continue
        boundary = keep_from if spec.partitioning == "daily" else _month(keep_from).start
        cur.execute(
            load_sql("operations", "retention", "reporting_partitions.sql").format(
                table=quote_ident(spec.name), column=quote_ident(spec.date_column)
            ),
            {"boundary": boundary},
        )
        plan = ReportingPlan(spec, boundary)
        for day, count in cur.fetchall():
            day = day.date() if isinstance(day, datetime) else day
            key = partition_of(spec, day)
            plan.partitions[key] = plan.partitions.get(key, 0) + int(count)
        if plan.partitions:
            plans.append(plan)
    return plans


def delete_partition(conn, spec: TableSpec, partition: Window, chunk_rows: int) -> int:
    """Delete one partition in bounded chunks, committing after each; returns the rows."""
    statement = load_sql("operations", "retention", "reporting_delete.sql").format(
        table=quote_ident(spec.name), column=quote_ident(spec.date_column)
    )
    total = 0
    while True:
        with conn.cursor() as cur:
            deleted = cur.execute(
                statement, {"start": partition.start, "end": partition.end, "limit": chunk_rows}
            )
        conn.commit()
        total += deleted
        if deleted < chunk_rows:
            return total


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def action(
    plan: ReportingPlan, database: str, today: date, status: str, rows: int, **details
) -> RetentionAction:
    window = plan.window
    return RetentionAction(
        target="reporting",
        database=database,
        table=plan.spec.name,
        window_start=_midnight(window.start),
        window_end=_midnight(window.end),
        period_days=(today - plan.boundary).days,
        cutoff=_midnight(plan.boundary),
        status=status,
        rows=rows,
        details={
            "partitioning": plan.spec.partitioning,
            "date_column": plan.spec.date_column,
            **details,
        },
    )


def execute_reporting(
    conn,
    plan: ReportingPlan,
    chunk_rows: int,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, int]:
    """Delete the plan's partitions oldest first; rows deleted per partition."""
    deleted = {}
    for partition in sorted(plan.partitions, key=lambda w: w.start):
        deleted[partition.start.isoformat()] = delete_partition(
            conn, plan.spec, partition, chunk_rows
        )
    log(f"{plan.spec.name}: {sum(deleted.values())} rows in {len(deleted)} partition(s) deleted")
    return deleted
