"""The 25 tables of genims_analytics_db (star schema), gathered from their modules."""

from __future__ import annotations

from genims_platform.analytics import aggregates, dimensions, facts
from genims_platform.lib.tables import TableSpec

ANALYTICS_TABLES: list[TableSpec] = [
    *dimensions.TABLES,
    *facts.TABLES,
    *aggregates.TABLES,
]
