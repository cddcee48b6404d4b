"""Business-rule tables of the audit database derived from the source modules.

Approvals, contract milestones, quality holds, disputes, warranty claims, recalls, complaints,
supplier violations and internal audit findings: each row is the state of one business record
(or one violation derived from it) and is appended as a new version whenever that state changes,
never updated in place. Reads are windowed by the source's change marker or whole-table for
small sources, as described in `genims_platform.audit.compliance`.
"""

from __future__ import annotations

from genims_platform.audit.compliance import derived, union
from genims_platform.lib.tables import Extract, Range

CATEGORY = "business_rules"

VIOLATION_COLUMNS = (
    "violation_id",
    "violation_date",
    "supplier_id",
    "violation_type",
    "severity",
    "source_reference",
    "measured_value",
    "threshold_value",
    "impact_on_operations",
    "remediation_required",
    "corrective_action_plan",
)


def _changed(source: str, sql: str, table: str) -> tuple[Extract, ...]:
    return (Extract(source, sql, reads=(table,)),)


def _whole(source: str, sql: str, *tables: str) -> tuple[Extract, ...]:
    return (Extract(source, sql, reads=tables, windowed=False),)


TABLES = [
    derived(
        "approval_workflow_history",
        category=CATEGORY,
        description=(
            "Every approval step of ERP documents: who was asked, what they decided, when, "
            "and with which comment; a new version whenever the step changes (submitted, "
            "approved, rejected, comment edited), so the history of each decision is kept.\n\n"
            "* **decision_hours** = hours from submission (`workflow_timestamp`) to the "
            "decision (`decided_at`).\n\n"
            "Source: erp.approvals."
        ),
        extracts=_changed("erp", "approval_workflow_history.sql", "approvals"),
        date_column="workflow_timestamp",
        ranges=(Range("decision_hours", 0), Range("step_no", 1)),
        key=("workflow_id",),
    ),
    derived(
        "contract_milestone_tracking",
        category=CATEGORY,
        description=(
            "The milestones of supplier contracts, planned against actual; a new version "
            "whenever the milestone or its contract's number, supplier or status changes.\n\n"
            "* **status_complete** = YES once an actual date is recorded (COMPLETE or LATE)\n"
            "* **days_late** = actual_date - planned_date (negative = early)\n"
            "* **tracking_date** = UTC day of the milestone's latest change.\n\n"
            "Sources: supplier.contract_milestones, supplier.contracts."
        ),
        extracts=_whole(
            "supplier", "contract_milestone_tracking.sql", "contract_milestones", "contracts"
        ),
        key=("milestone_id",),
    ),
    derived(
        "quality_hold_records",
        category=CATEGORY,
        description=(
            "Material and products put on quality hold, and their release; a new version on "
            "every change of the hold.\n\n"
            "* **hours_on_hold** = hours from placing to release (NULL while on hold)\n"
            "* **release_documented** = for a released hold, YES when its disposition, the "
            "analysis performed and the releasing employee are all recorded (ISO 9001 8.7 "
            "evidence), else NO; NULL while on hold.\n\n"
            "Source: quality.quality_holds."
        ),
        extracts=_changed("quality", "quality_hold_records.sql", "quality_holds"),
        date_column="hold_date",
        ranges=(Range("quantity_on_hold", 0), Range("hours_on_hold", 0)),
        key=("hold_id",),
    ),
    derived(
        "dispute_resolution_log",
        category=CATEGORY,
        description=(
            "Commercial disputes with customers and suppliers and how they were settled; a new "
            "version on every change of the dispute.\n\n"
            "* **party_1** = GENIMS; **party_2** = the counterparty (`CUSTOMER <id>`, "
            "`SUPPLIER <id>`, or both)\n"
            "* **days_to_resolution** = days from opening to resolution.\n\n"
            "Source: financial.disputes."
        ),
        extracts=_changed("financial", "dispute_resolution_log.sql", "disputes"),
        date_column="dispute_date",
        ranges=(
            Range("amount_in_dispute", 0),
            Range("settlement_amount", 0),
            Range("days_to_resolution", 0),
        ),
        key=("dispute_id",),
    ),
    derived(
        "warranty_claim_audit",
        category=CATEGORY,
        description=(
            "Warranty claims from filing through approval to payout; a new version on every "
            "change of the claim, so amounts, approvers and settlements can be traced.\n\n"
            "Source: service.warranty_claims."
        ),
        extracts=_changed("service", "warranty_claim_audit.sql", "warranty_claims"),
        date_column="claim_date",
        ranges=(Range("claim_amount", 0), Range("settlement_amount", 0)),
        key=("claim_id",),
    ),
    derived(
        "product_recall_log",
        category=CATEGORY,
        description=(
            "Product recalls and their progress, for the regulatory authority; a new version on "
            "every change of the recall.\n\n"
            "* **recall_effectiveness_ratio** = units_recalled / units_affected (fraction; "
            "NULL when no unit is affected).\n\n"
            "Source: quality.recalls."
        ),
        extracts=_whole("quality", "product_recall_log.sql", "recalls"),
        ranges=(
            Range("units_affected", 0),
            Range("units_recalled", 0),
            Range("units_returned", 0),
            Range("units_destroyed", 0),
            Range("recall_effectiveness_ratio", 0, 1),
        ),
        key=("recall_id",),
    ),
    derived(
        "customer_complaint_tracking",
        category=CATEGORY,
        description=(
            "Customer complaints from opening to resolution and compensation; a new version on "
            "every change of the complaint.\n\n"
            "* **days_to_resolution** = days from opening to resolution.\n\n"
            "Source: crm.cases with `is_complaint`. A case reclassified as no complaint appends "
            "nothing (its complaint history stays)."
        ),
        extracts=_changed("crm", "customer_complaint_tracking.sql", "cases"),
        date_column="complaint_date",
        ranges=(Range("compensation_amount", 0), Range("days_to_resolution", 0)),
        key=("complaint_id",),
    ),
    derived(
        "supplier_performance_violation",
        category=CATEGORY,
        description=(
            "Supplier performance violations, derived by fixed rules; one row per violation "
            "(`<rule>:<source id>`), a new version when its source record changes.\n\n"
            "| rule | violation when | severity | remediation |\n"
            "|---|---|---|---|\n"
            "| LOW_RATING | a monthly scorecard (supplier.supplier_ratings) has overall_score "
            "< 3.00 of 5 | HIGH < 2.00, MEDIUM < 2.50, else LOW | required |\n"
            "| LATE_DELIVERY | a goods receipt (erp.goods_receipts) arrives more than 7 days "
            "after its purchase order's due date (UTC days) | HIGH > 30 days, MEDIUM > 14, "
            "else LOW | required from MEDIUM |\n"
            "| FAILED_AUDIT | a supplier audit's result is FAIL | HIGH | required |\n"
            "| EXPIRED_CERTIFICATION | a certification's status is EXPIRED | HIGH for ISO 9001, "
            "else MEDIUM | required |\n\n"
            "**measured_value** / **threshold_value**: the rating and 3.00, the days late and "
            "7, the audit score (no threshold: the auditor's verdict). **violation_date**: the "
            "rated month, the receipt day, the audit date, the expiry date. A record corrected "
            "so that it no longer violates appends nothing: the violation once recorded stays.\n\n"
            "Ratings, audits and certifications by `updated_at`, receipts by `received_at` "
            "(insert-only)."
        ),
        extracts=(
            Extract(
                "supplier",
                "supplier_performance_violation.sql",
                reads=("supplier_ratings", "supplier_audits", "certifications"),
            ),
            union(
                "erp",
                "supplier_performance_violation.receipts.sql",
                ("goods_receipts", "purchase_orders"),
                VIOLATION_COLUMNS,
            ),
        ),
        date_column="violation_date",
        ranges=(Range("measured_value", 0),),
        key=("violation_id",),
    ),
    derived(
        "internal_audit_findings",
        category=CATEGORY,
        description=(
            "Findings of internal audits and their corrective actions; a new version on every "
            "change of the finding.\n\n"
            "* **completed_on_time** = YES when the action was completed by its target date, "
            "NO when later, NULL until completed or without a target.\n\n"
            "Source: financial.internal_audit_findings."
        ),
        extracts=_whole("financial", "internal_audit_findings.sql", "internal_audit_findings"),
        key=("finding_id",),
    ),
]
