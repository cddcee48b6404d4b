"""Partitions of the time-partitioned target tables.

The current day (and month) is a partition of its own (`end_offset=1`), refreshed hourly while it
is open. History starts at GENIMS_HISTORY_START (default 2025-01-01), read when the definitions
are built, never at import.
"""

from __future__ import annotations

import os
from datetime import date

import dagster as dg

from genims_platform.lib.tables import Partitioning

DEFAULT_HISTORY_START = "2025-01-01"


def history_start() -> str:
    value = os.environ.get("GENIMS_HISTORY_START") or DEFAULT_HISTORY_START
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"GENIMS_HISTORY_START must be YYYY-MM-DD, got {value!r}") from None
    return value


def partitions_for(partitioning: Partitioning | None, start: str) -> dg.PartitionsDefinition | None:
    if partitioning == "daily":
        return dg.DailyPartitionsDefinition(start_date=start, timezone="UTC", end_offset=1)
    if partitioning == "monthly":
        month_start = start[:8] + "01"
        return dg.MonthlyPartitionsDefinition(start_date=month_start, timezone="UTC", end_offset=1)
    return None
