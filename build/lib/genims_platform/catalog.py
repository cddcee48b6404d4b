"""The platform's fixed catalogue: logical database names and their default physical names.

Physical names are only defaults; `genims_platform.settings` lets every one of them be
overridden, so a site that still uses the older names of the seeds (e.g. `genims_mes_db`) works.
"""

from __future__ import annotations

SOURCE_DATABASES: dict[str, str] = {
    "master": "genims_master_db",
    "operations": "genims_operations_db",
    "manufacturing": "genims_manufacturing_db",
    "maintenance": "genims_maintenance_db",
    "quality": "genims_quality_db",
    "erp": "genims_erp_db",
    "financial": "genims_financial_db",
    "wms": "genims_wms_db",
    "tms": "genims_tms_db",
    "crm": "genims_crm_db",
    "service": "genims_service_db",
    "hr": "genims_hr_db",
    "supplier": "genims_supplier_db",
}

SOURCE_MODULES: dict[str, str] = {
    "master": "Master data: factories, lines, machines, products, materials, customers, suppliers, "
    "warehouses, cost centres, application users and their logins",
    "operations": "IoT/SCADA: sensor readings, SCADA points, runs, machine states, faults",
    "manufacturing": "MES: work orders, operations, labour, material consumption, schedules",
    "maintenance": "CMMS: maintenance work orders, maintenance history, spare parts",
    "quality": "QMS: inspections, defects, non-conformances, CAPA, quality holds, recalls",
    "erp": "ERP: sales and purchase orders, goods receipts, standard costs, price lists, approvals",
    "financial": "General ledger: accounts, journals, periods, budgets, audit findings, disputes",
    "wms": "Warehouse: balances, inventory movements, cycle counts, picking, receiving",
    "tms": "Transportation: shipments, carriers, routes, tracking events, deliveries",
    "crm": "CRM: accounts, segments, reps, targets, leads, opportunities, forecasts, cases, GDPR",
    "service": "Service: tickets with SLAs, warranty claims, returns, field service, privacy",
    "hr": "Human capital: employees, departments, shifts, timesheets, training",
    "supplier": "Supplier portal: contracts, milestones, invoices, RFQs, certifications, access",
}

TARGET_DATABASES: dict[str, str] = {
    "reporting": "genims_reporting_db",
    "analytics": "genims_analytics_db",
    "audit": "genims_audit_db",
}


def check_source(logical: str) -> str:
    """Return `logical` if it names one of the 13 source databases, else raise a clear error."""
    if logical not in SOURCE_DATABASES:
        known = ", ".join(SOURCE_DATABASES)
        raise UnknownDatabaseError(f"unknown source database {logical!r}; known: {known}")
    return logical


def check_target(logical: str) -> str:
    """Return `logical` if it names one of the 3 MySQL databases, else raise a clear error."""
    if logical not in TARGET_DATABASES:
        known = ", ".join(TARGET_DATABASES)
        raise UnknownDatabaseError(f"unknown target database {logical!r}; known: {known}")
    return logical


class UnknownDatabaseError(ValueError):
    """A logical database name that is not part of the catalogue."""
