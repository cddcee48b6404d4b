"""The source-to-target map, generated from the declarations (docs/source_map.md).

The asset graph in the Dagster UI is the live lineage; this renders the same facts as one page
for readers without the UI. A test keeps the committed page equal to what the declarations say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from genims_platform.catalog import SOURCE_DATABASES, SOURCE_MODULES, TARGET_DATABASES
from genims_platform.lib.tables import TableSpec
from genims_platform.sources.assets import change_marker, contract_columns
from genims_platform.sources.capture import ALL_TABLES, AUDITED_TABLES

HEADER = """# Source contract → target tables

Generated from the table declarations by `genims docs source-map`; do not edit by hand (a test
compares this page with the declarations). The contract DDL is `sql/source/<logical>.sql`; the
change marker is what observation reads. Tables marked *audited* carry change-capture triggers
(`docs/change_capture.md`): their changes also reach `genims_audit_db` through the outbox
(`system_audit_log`, `data_change_audit`, `financial_transaction_audit`, and login events into
`user_activity_log` and `security_event_log`; see `docs/audit.md`).
"""


def _audited(logical: str, table: str) -> bool:
    audited = AUDITED_TABLES.get(logical, ())
    return ALL_TABLES in audited or table in audited


def readers(specs: Iterable[TableSpec]) -> dict[tuple[str, str], list[str]]:
    """(logical source, table) -> ["genims_reporting_db.sales_by_product", ...]."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for spec in specs:
        for database, table in spec.reads:
            if database in SOURCE_DATABASES:
                name = f"{TARGET_DATABASES[spec.target]}.{spec.name}"
                if name not in out[(database, table)]:
                    out[(database, table)].append(name)
    return out


def all_specs() -> list[TableSpec]:
    """Every declared target table."""
    from genims_platform.analytics.tables import ANALYTICS_TABLES
    from genims_platform.audit.definitions import AUDIT_TABLES
    from genims_platform.reporting.tables import REPORTING_TABLES

    return [*REPORTING_TABLES, *ANALYTICS_TABLES, *AUDIT_TABLES]


def source_map_markdown(specs: Iterable[TableSpec]) -> str:
    read_by = readers(specs)
    lines = [HEADER]
    for logical, physical in SOURCE_DATABASES.items():
        lines.append(f"\n## {logical} (`{physical}`)\n\n{SOURCE_MODULES[logical]}.\n")
        lines.append("| table | marker | audited | read by |")
        lines.append("|---|---|---|---|")
        for table in sorted(contract_columns(logical)):
            targets = ", ".join(sorted(read_by.get((logical, table), []))) or "—"
            audited = "yes" if _audited(logical, table) else ""
            lines.append(f"| {table} | {change_marker(logical, table)} | {audited} | {targets} |")
    return "\n".join(lines) + "\n"
