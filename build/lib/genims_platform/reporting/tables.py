"""The 35 tables of genims_reporting_db, gathered from their category modules."""

from __future__ import annotations

from genims_platform.lib.tables import TableSpec
from genims_platform.reporting import (
    daily_performance,
    financial,
    inventory,
    procurement,
    production,
    sales,
)

REPORTING_TABLES: list[TableSpec] = [
    *daily_performance.TABLES,
    *production.TABLES,
    *sales.TABLES,
    *financial.TABLES,
    *inventory.TABLES,
    *procurement.TABLES,
]
