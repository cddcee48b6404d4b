"""Compliance tables of the audit database derived from the source modules.

Each table keeps an append-only history of a compliance fact: the state of a source record (a
ticket's SLAs, a GDPR request, a supplier's certificates) is appended as a new version whenever
it changes and never updated in place (`AppendVersions`, docs/audit.md). How a table reads its
sources is part of its declaration:

* **windowed by the change marker** (daily partitions): a run reads only the records whose
  change marker (`updated_at`, or the timestamp of an insert-only table) falls in the partition,
  so the hourly refresh of the open day reads the day's changes, the nightly restatement the last
  week's (what changed after the last hourly run of a day), and a backfill the history once;
* **whole table** (unpartitioned) where the source is small (tens or hundreds of rows a year).

Either way a run appends the *current* state of each record it reads, and only when it differs
from the latest version of that record: a source change makes exactly one new version, a record
read again without a change makes none, and reading a record twice (in two partitions of one
backfill) still appends it once.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from genims_platform.audit.chain import AppendVersions
from genims_platform.lib.tables import Extract, Range, TableSpec, Window

TARGET = "audit"
CATEGORY = "compliance"

CHANGE_WINDOW = (
    "Read incrementally: a partition is a UTC day of the source's change marker, so the "
    "hourly run reads the day's changes only and the nightly restatement catches what changed "
    "after the last hourly run of a day."
)
WHOLE_TABLE = "Read whole (the source is small) on every run; unchanged records append nothing."
VERSIONING = (
    "A changed record is appended as its next `record_version`, chained into the table's hash "
    "chain; nothing is ever updated or deleted."
)


def derived(
    name: str,
    *,
    category: str,
    description: str,
    extracts: tuple[Extract, ...],
    key: tuple[str, ...],
    date_column: str | None = None,
    reading: str | None = None,
    **options: Any,
) -> TableSpec:
    """A source-derived audit table: versions appended by `AppendVersions` on the natural `key`,
    read in daily partitions of the change marker when it has a `date_column`, else whole
    (`reading` describes another way of reading).

    Appending nothing is the normal outcome of a run over unchanged sources, so an empty run is
    no warning (`expect_rows=False`)."""
    reading = reading or (CHANGE_WINDOW if date_column else WHOLE_TABLE)
    return TableSpec(
        target=TARGET,
        name=name,
        category=category,
        description=f"{description}\n\n{reading} {VERSIONING}",
        extracts=extracts,
        partitioning="daily" if date_column else None,
        date_column=date_column,
        expect_rows=False,
        write=AppendVersions(key=key),
        **options,
    )


def union(source: str, sql: str, reads: tuple[str, ...], columns: tuple[str, ...]) -> Extract:
    """Rows from another database added to the driving extract's rows.

    The builder joins extracts; an outer join on every column is a union when the two row sets
    cannot match (each extract returns its own natural keys, e.g. DELIVERY against RESPONSE SLAs).
    """
    return Extract(source, sql, reads=reads, on=columns, how="outer")


SLA_COLUMNS = (
    "sla_id",
    "tracking_date",
    "sla_type",
    "source_record_type",
    "source_record_id",
    "source_record_number",
    "customer_id",
    "target_metric",
    "target_value",
    "actual_value",
    "compliance_status",
    "compliant",
    "violation_count",
)

CHECKLIST_COLUMNS = (
    "checklist_id",
    "review_date",
    "regulation_name",
    "requirement_code",
    "requirement_item",
    "status",
    "items_checked",
    "items_failed",
    "evidence",
    "remediation_plan",
)

NO_EVIDENCE = {
    "compliance_score": 0.0,
    "compliance_status": "NON_COMPLIANT",
    "certification_count": 0,
    "valid_certification_count": 0,
    "has_iso_9001": "NO",
}


def assess_every_vendor(frame: pd.DataFrame, window: Window | None) -> pd.DataFrame:
    """Suppliers without any certification or audit: score 0, non-compliant, assessed as of
    the day they were created (no evidence has changed since)."""
    out = frame.copy()
    missing = out["assessment_date"].isna()
    out.loc[missing, "assessment_date"] = out.loc[missing, "vendor_created_date"]
    for column, value in NO_EVIDENCE.items():
        out[column] = out[column].where(out[column].notna(), value)
    return out.drop(columns=["vendor_created_date"])


TABLES = [
    derived(
        "sla_compliance_tracking",
        category=CATEGORY,
        description=(
            "Whether the service levels promised to customers were kept: one row per service "
            "ticket and SLA (RESPONSE, RESOLUTION) and per shipment (DELIVERY), a new version "
            "whenever the measurement changes.\n\n"
            "* **RESPONSE**: minutes from `opened_at` to `first_response_at` (or to the "
            "resolution, when the ticket was resolved without a separate response) against "
            "`sla_response_minutes`\n"
            "* **RESOLUTION**: minutes from `opened_at` to `resolved_at` (else `closed_at`) "
            "against `sla_resolution_minutes`\n"
            "* **DELIVERY**: UTC days from shipping to delivery (proof of delivery in "
            "tms.deliveries, else the shipment's `delivered_at`) against the days to the "
            "planned delivery day\n"
            "* **compliance_status** = MET when reached by the deadline (opened_at + target; "
            "on or before the planned delivery day), BREACHED when later, PENDING while not "
            "measured; **compliant** = YES / NO / NULL accordingly; **violation_count** = 1 "
            "for a breach, else 0. `actual_value` is rounded to 0.01, the status uses the "
            "exact times.\n"
            "* **tracking_date** = UTC day the SLA clock started.\n\n"
            "A still unanswered ticket stays PENDING until it is answered: the breach is "
            "recorded with the measurement. Sources: service.service_tickets by `updated_at`; "
            "tms.shipments by `updated_at` or the `delivered_at` of their proof of delivery."
        ),
        extracts=(
            Extract("service", "sla_compliance_tracking.sql", reads=("service_tickets",)),
            union(
                "tms",
                "sla_compliance_tracking.deliveries.sql",
                ("shipments", "deliveries"),
                SLA_COLUMNS,
            ),
        ),
        key=("sla_id",),
        date_column="tracking_date",
        ranges=(Range("target_value", 0), Range("actual_value", 0), Range("violation_count", 0, 1)),
    ),
    derived(
        "gdpr_data_request_log",
        category=CATEGORY,
        description=(
            "Every data subject request under the GDPR (access, erasure, portability, "
            "rectification) and whether it was answered in time; a new version on every change "
            "of the request.\n\n"
            "* **legal_deadline_at** = `received_at` + 30 days (GDPR Art. 12(3), one month)\n"
            "* **deadline_met** = YES when answered (completed or denied with reasons) by the "
            "deadline, NO when later, NULL while open (open requests past their deadline are "
            "counted day by day in `regulatory_compliance_checklist`)\n"
            "* **days_to_complete** = days from receipt to the answer.\n\n"
            "Source: crm.gdpr_requests."
        ),
        extracts=(
            Extract("crm", "gdpr_data_request_log.sql", reads=("gdpr_requests",), windowed=False),
        ),
        key=("request_id",),
        ranges=(Range("days_to_complete", 0),),
    ),
    derived(
        "privacy_incident_report",
        category=CATEGORY,
        description=(
            "Every personal-data breach with its root cause, remediation and the notification "
            "of the supervisory authority; a new version on every change of the incident.\n\n"
            "* **hours_to_notification** = hours from `detected_at` to `regulator_notified_at`\n"
            "* **notified_within_72h** = YES when notified within 72 hours of detection (GDPR "
            "Art. 33), NO when later, NULL when not notified (not every incident must be).\n\n"
            "Source: service.privacy_incidents."
        ),
        extracts=(
            Extract(
                "service",
                "privacy_incident_report.sql",
                reads=("privacy_incidents",),
                windowed=False,
            ),
        ),
        key=("incident_id",),
        ranges=(Range("affected_records_count", 0), Range("hours_to_notification", 0)),
    ),
    derived(
        "third_party_access_log",
        category=CATEGORY,
        description=(
            "Every access of a supplier's user to the supplier portal: who, when, what, "
            "whether it was granted, the justification and who approved it. One row per access "
            "(the source is insert-only, so a late correction of an access is seen when its "
            "day is read again); `third_party_name` is the supplier's name in master data when "
            "the access was read.\n\n"
            "Sources: supplier.portal_access_log by `accessed_at`, names from master.suppliers."
        ),
        extracts=(
            Extract("supplier", "third_party_access_log.sql", reads=("portal_access_log",)),
            Extract(
                "master",
                "third_party_access_log.suppliers.sql",
                reads=("suppliers",),
                on=("supplier_id",),
                windowed=False,
            ),
        ),
        key=("access_id",),
        date_column="access_date",
        ranges=(Range("duration_minutes", 0),),
    ),
    derived(
        "compliance_gap_analysis",
        category=CATEGORY,
        description=(
            "Quality non-conformances as gaps against ISO 9001:2015 and how they are being "
            "closed; a new version whenever the NCR or one of its corrective or preventive "
            "actions changes.\n\n"
            "* **regulation_clause**: 8.4 (externally provided products) when a supplier is "
            "set, else 8.7 (control of nonconforming outputs)\n"
            "* **remediation_plan**: the actions in order, with due date and status; "
            "**target_completion_date** = latest due date; **actual_completion_date** = day "
            "the last action was completed, once all are DONE\n"
            "* **verification_status**, first rule that applies: NO_ACTION_PLANNED (no action), "
            "OVERDUE (an action is OVERDUE), IN_REMEDIATION (an action is not DONE), "
            "NOT_EFFECTIVE (a done action was judged other than EFFECTIVE), "
            "AWAITING_VERIFICATION (a done action has no effectiveness verdict yet), else "
            "VERIFIED_EFFECTIVE\n"
            "* **analysis_date** = UTC day of the latest change of the NCR or its actions.\n\n"
            "Sources: quality.non_conformances and quality.corrective_actions; an NCR is read "
            "when its own or one of its actions' `updated_at` falls in the partition."
        ),
        extracts=(
            Extract(
                "quality",
                "compliance_gap_analysis.sql",
                reads=("non_conformances", "corrective_actions"),
            ),
        ),
        key=("gap_id",),
        date_column="analysis_date",
        ranges=(
            Range("cost_impact", 0),
            Range("corrective_action_count", 0),
            Range("open_action_count", 0),
        ),
    ),
    derived(
        "vendor_compliance_status",
        category=CATEGORY,
        description=(
            "The compliance standing of every supplier in master data, from its certifications "
            "and audits; a new version whenever the assessment changes.\n\n"
            "* **compliance_score** (0-100 points) = 0.6 x score of the latest audit (0 when "
            "never audited) + 0.4 x 100 x certifications with status VALID / all its "
            "certifications (0 when it has none)\n"
            "* **compliance_status**: NON_COMPLIANT when no certification is valid or the "
            "latest audit FAILed; CONDITIONAL when never audited, the latest audit was "
            "CONDITIONAL, or some certification is expired or suspended; else COMPLIANT\n"
            "* **next_audit_required_date** = the latest audit's `next_audit_due`, else one "
            "year after it\n"
            "* **assessment_date** = UTC day of the latest change of the supplier's "
            "certifications or audits (its creation day when it has none), so any change of "
            "the evidence re-assesses the supplier.\n\n"
            "Validity is the supplier module's certification status (it marks a certificate "
            "EXPIRED when it runs out), so the assessment changes only with the sources. "
            "Sources: master.suppliers, supplier.certifications, supplier.supplier_audits."
        ),
        extracts=(
            Extract("master", "vendor_compliance_status.sql", reads=("suppliers",), windowed=False),
            Extract(
                "supplier",
                "vendor_compliance_status.evidence.sql",
                reads=("certifications", "supplier_audits"),
                on=("vendor_id",),
                windowed=False,
            ),
        ),
        key=("vendor_id",),
        derive=assess_every_vendor,
        ranges=(
            Range("compliance_score", 0, 100),
            Range("last_audit_score", 0, 100),
            Range("certification_count", 0),
            Range("valid_certification_count", 0),
        ),
    ),
    derived(
        "regulatory_compliance_checklist",
        category=CATEGORY,
        description=(
            "A dated checklist of concrete controls, evaluated from the source data as at the "
            "end of each review day (UTC): one row per day and requirement, with the counts as "
            "evidence and the first failing ids. Status: NOT_APPLICABLE when nothing was to be "
            "checked, COMPLIANT when nothing fails, else NON_COMPLIANT.\n\n"
            "* **ISO9001-7.2-TRAINING** (hr): active employees (hired, not yet terminated) "
            "whose latest successful completion of a course with an expiry (refresher-"
            "mandatory) had expired by the end of the day\n"
            "* **GDPR-ART12-30D** (crm): requests whose 30-day deadline fell in the 30 days up "
            "to the end of the day, plus older ones still unanswered; failing when answered "
            "after the deadline or not answered by the end of the day\n"
            "* **ISO9001-8.4-SUPPLIER-CERT** (supplier): suppliers under contract that day (a "
            "non-draft, non-terminated contract covering it) without an ISO 9001 certificate "
            "valid that day (issued on or before it, expiring on or after it, not suspended)."
        ),
        extracts=(
            Extract(
                "hr",
                "regulatory_compliance_checklist.sql",
                reads=("employees", "training_records"),
            ),
            union(
                "crm",
                "regulatory_compliance_checklist.gdpr.sql",
                ("gdpr_requests",),
                CHECKLIST_COLUMNS,
            ),
            union(
                "supplier",
                "regulatory_compliance_checklist.suppliers.sql",
                ("contracts", "certifications"),
                CHECKLIST_COLUMNS,
            ),
        ),
        key=("checklist_id",),
        date_column="review_date",
        reading=(
            "A partition is a review day: the hourly run re-evaluates the open day as evidence "
            "arrives, the nightly restatement the last week (late evidence about past days)."
        ),
        ranges=(Range("items_checked", 0), Range("items_failed", 0)),
    ),
]
