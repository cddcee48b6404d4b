"""The eleven dimensions of the star schema: who, what, where and when of every fact.

Every dimension has a surrogate key that facts join on (never re-numbered: a member keeps its
key for as long as the warehouse exists), its natural key from the source for lineage, and an
unknown member (key 0) created by its migration, which facts point at until their member
arrives. Product, customer, supplier and employee keep history (SCD type 2: a change of a
tracked attribute opens a new version, see `genims_platform.lib.dimensional`); the others are
corrected in place (type 1). Dimensions are merged nightly, before the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from genims_platform.lib.dimensional import VALID_FROM, Scd2Merge, Type1Merge
from genims_platform.lib.tables import Extract, Range, TableSpec, Window

TARGET = "analytics"

HISTORY = (
    "History (SCD type 2): a change of a tracked attribute closes the current version "
    "(`valid_to` = the day of the change, exclusive) and opens the next (`valid_from` = that "
    "day, `version` + 1, `is_current` = 1); other attributes are corrected in every version. "
    "The first version of a member is valid from 1900-01-01; a member deleted from the source "
    "keeps its history and has no current version. Facts point at the version valid on their "
    "business date: `fact.date BETWEEN valid_from AND valid_to - 1 day`."
)


def effective_dates(
    markers: tuple[str, ...], defaults: Mapping[str, Any] | None = None
) -> Callable[[pd.DataFrame, Window | None], pd.DataFrame]:
    """Derive `valid_from` of a dimension fed by several databases: the latest of their change
    markers (the day the observed state took effect), and fill what a secondary source lacks."""

    def derive(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
        out = frame.copy()
        for column, value in (defaults or {}).items():
            out[column] = out[column].where(out[column].notna(), value)
        stamps = out[list(markers)].apply(lambda s: pd.to_datetime(s, errors="coerce"))
        out[VALID_FROM] = stamps.max(axis=1).dt.date
        return out.drop(columns=list(markers))

    return derive


def _spare_parts(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    out = frame.copy()
    count = pd.to_numeric(out["spare_part_count"]).fillna(0).astype("int64")
    out["spare_part_count"] = count
    out["is_spare_part"] = (count > 0).astype("int64")
    return out


def dimension(
    name: str,
    description: str,
    extracts: tuple[Extract, ...],
    write: Type1Merge | Scd2Merge,
    *,
    derive: Callable[[pd.DataFrame, Window | None], pd.DataFrame] | None = None,
    ranges: tuple[Range, ...] = (),
) -> TableSpec:
    """A dimension: unpartitioned, merged by its write mode, tested by the mode's checks."""
    return TableSpec(
        target=TARGET,
        name=name,
        category="dimensions",
        description=description,
        extracts=extracts,
        partitioning=None,
        date_column=None,
        derive=derive,
        ranges=ranges,
        write=write,
        checks=write.checks(),
    )


TABLES: list[TableSpec] = [
    dimension(
        "dim_date",
        "The calendar: one row per day of the last seven years and the next two (the planning "
        "horizon), or of every accounting period if that is longer. ISO weeks, months, "
        "quarters, weekends, month ends, and the fiscal period of financial.accounting_periods "
        "(the shortest containing the day; NULL where none is defined yet). `date_key` is "
        "yyyymmdd. Type 1: a fiscal period that closes updates its days in place.",
        (Extract("financial", "dim_date.sql", reads=("accounting_periods",)),),
        Type1Merge(natural_key=("date",), surrogate_key="date_key", assign_keys=False),
        ranges=(Range("day_of_week", 1, 7), Range("month_number", 1, 12)),
    ),
    dimension(
        "dim_factory",
        "The company's factories (master.factories). Type 1.",
        (Extract("master", "dim_factory.sql", reads=("factories",)),),
        Type1Merge(natural_key=("factory_id",), surrogate_key="factory_key"),
    ),
    dimension(
        "dim_production_line",
        "Production lines with the code and name of their factory, so a star join needs no "
        "second hop (master.production_lines, factories). Type 1.",
        (Extract("master", "dim_production_line.sql", reads=("production_lines", "factories")),),
        Type1Merge(natural_key=("line_id",), surrogate_key="production_line_key"),
        ranges=(Range("design_capacity_units_per_hour", 0),),
    ),
    dimension(
        "dim_machine",
        "Machines with their line and factory, criticality and ideal cycle time (master."
        "machines, production_lines, factories). Type 1.",
        (
            Extract(
                "master", "dim_machine.sql", reads=("machines", "production_lines", "factories")
            ),
        ),
        Type1Merge(natural_key=("machine_id",), surrogate_key="machine_key"),
        ranges=(Range("ideal_cycle_time_s", 0),),
    ),
    dimension(
        "dim_product",
        "Products and how they were classified and priced over time: category, family, unit, "
        "list price and standard cost (master.products), the USD price-list price valid on "
        "the day of the merge (erp.price_lists) and the lifecycle status are tracked; SKU, "
        "name and launch date are corrections. A version starts on the day of the change "
        "marker of master data, or the day a new price list took effect, whichever is later."
        f"\n\n{HISTORY}",
        (
            Extract("master", "dim_product.sql", reads=("products",)),
            Extract(
                "erp",
                "dim_product.prices.sql",
                reads=("price_lists",),
                on=("product_id",),
                windowed=False,
            ),
        ),
        Scd2Merge(
            natural_key=("product_id",),
            surrogate_key="product_key",
            tracked=(
                "category",
                "product_family",
                "unit_of_measure",
                "list_price",
                "price_list_unit_price",
                "standard_cost",
                "lifecycle_status",
            ),
        ),
        derive=effective_dates(("changed_master", "changed_prices")),
        ranges=(
            Range("list_price", 0),
            Range("price_list_unit_price", 0),
            Range("standard_cost", 0),
            Range("version", 1),
        ),
    ),
    dimension(
        "dim_material",
        "Materials with unit, standard cost, lead time and shelf life (master.materials), and "
        "whether maintenance stocks them as spare parts (maintenance.spare_parts). Type 1.",
        (
            Extract("master", "dim_material.sql", reads=("materials",)),
            Extract(
                "maintenance",
                "dim_material.spare_parts.sql",
                reads=("spare_parts",),
                on=("material_id",),
                windowed=False,
            ),
        ),
        Type1Merge(natural_key=("material_id",), surrogate_key="material_key"),
        derive=_spare_parts,
        ranges=(Range("standard_cost", 0), Range("lead_time_days", 0)),
    ),
    dimension(
        "dim_customer",
        "Customers and how they looked over time: type, industry, geography, credit limit, "
        "payment terms and activity (master.customers) and the CRM segment, lifecycle stage "
        "and account manager (crm.customer_accounts) are tracked; code and name are "
        "corrections. `segment` is UNASSIGNED for a customer without a CRM account (as in the "
        "reporting tables). A version starts on the day of the later change marker of the two "
        f"sources. Contact data (personal data) is not copied.\n\n{HISTORY}",
        (
            Extract("master", "dim_customer.sql", reads=("customers",)),
            Extract(
                "crm",
                "dim_customer.accounts.sql",
                reads=("customer_accounts",),
                on=("customer_id",),
                windowed=False,
            ),
        ),
        Scd2Merge(
            natural_key=("customer_id",),
            surrogate_key="customer_key",
            tracked=(
                "customer_type",
                "industry",
                "country",
                "region",
                "city",
                "credit_limit",
                "payment_terms_days",
                "is_active",
                "segment",
                "lifecycle_stage",
                "account_manager_rep_id",
            ),
        ),
        derive=effective_dates(("changed_master", "changed_crm"), {"segment": "UNASSIGNED"}),
        ranges=(Range("credit_limit", 0), Range("payment_terms_days", 0), Range("version", 1)),
    ),
    dimension(
        "dim_supplier",
        "Suppliers and how they stood over time: category, geography, payment terms and "
        "activity (master.suppliers), the number of VALID certifications and the result of "
        "the latest audit (supplier.certifications, supplier_audits) are tracked; code and "
        "name are corrections. A version starts on the day of the later change marker of the "
        f"two sources.\n\n{HISTORY}",
        (
            Extract("master", "dim_supplier.sql", reads=("suppliers",)),
            Extract(
                "supplier",
                "dim_supplier.standing.sql",
                reads=("certifications", "supplier_audits"),
                on=("supplier_id",),
                windowed=False,
            ),
        ),
        Scd2Merge(
            natural_key=("supplier_id",),
            surrogate_key="supplier_key",
            tracked=(
                "supplier_category",
                "country",
                "region",
                "city",
                "payment_terms_days",
                "is_active",
                "valid_certifications",
                "latest_audit_result",
            ),
        ),
        derive=effective_dates(("changed_master", "changed_portal"), {"valid_certifications": 0}),
        ranges=(Range("valid_certifications", 0), Range("version", 1)),
    ),
    dimension(
        "dim_employee",
        "Employees and their jobs over time (hr.employees, departments): job title, "
        "department, factory, manager, employment type, hourly rate and status are tracked; "
        "personnel number, name, department code and name, hire and termination dates are "
        "corrections. A version starts on the day of the employee's change marker. E-mail "
        f"and other contact data are not copied.\n\n{HISTORY}",
        (Extract("hr", "dim_employee.sql", reads=("employees", "departments")),),
        Scd2Merge(
            natural_key=("employee_id",),
            surrogate_key="employee_key",
            tracked=(
                "job_title",
                "department_id",
                "factory_id",
                "manager_employee_id",
                "employment_type",
                "hourly_rate",
                "status",
            ),
        ),
        ranges=(Range("hourly_rate", 0), Range("version", 1)),
    ),
    dimension(
        "dim_warehouse",
        "Warehouses with their type, location and factory (master.warehouses, factories). Type 1.",
        (Extract("master", "dim_warehouse.sql", reads=("warehouses", "factories")),),
        Type1Merge(natural_key=("warehouse_id",), surrogate_key="warehouse_key"),
    ),
    dimension(
        "dim_gl_account",
        "The chart of accounts (financial.gl_accounts): type, subtype used by the statements, "
        "cash-flow category, cost element, the statement the account reports on (INCOME for "
        "revenue and expense accounts, else BALANCE) and its normal balance (DEBIT for assets "
        "and expenses). Type 1.",
        (Extract("financial", "dim_gl_account.sql", reads=("gl_accounts",)),),
        Type1Merge(natural_key=("account_id",), surrogate_key="gl_account_key"),
    ),
]
