"""A code location with some of the platform's tables, for the fault tests' child processes
(`dagster asset materialize`, `dagster-webserver`, `dagster-daemon`).

The tables are built exactly as `genims_platform.definitions` builds them (same declarations,
builder, partitions and resource wiring), so a run in a child process takes the production path;
the location only leaves out the other tables, the sensors and the domains, which the faults
under test do not involve. `GENIMS_HARDENING_TABLES` names the tables (comma-separated).
"""

from __future__ import annotations

import os

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    from genims_platform.lib.environment import build_resources
    from genims_platform_tests.hardening.support import table_asset

    names = os.environ.get("GENIMS_HARDENING_TABLES", "work_order_summary").split(",")
    return dg.Definitions(
        assets=[table_asset(name.strip()) for name in names if name.strip()],
        resources=build_resources(),
        executor=dg.in_process_executor,
    )
