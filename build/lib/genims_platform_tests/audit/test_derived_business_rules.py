"""Source-derived business-rule tables of the audit database against hand-made source rows.

Same protocol as `test_derived_compliance.py`: expected first versions computed here, one
changed source record makes exactly one chained version 2, a rerun appends nothing, and the rows
refuse UPDATE and DELETE.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

import pytest

from genims_platform_tests.audit.test_derived_compliance import (
    DAY,
    Audit,
    assert_append_only,
    assert_one_new_version,
    assert_rows,
    at,
    days,
    module_audit,
    today,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def audit(initialized) -> Iterator[Audit]:
    yield from module_audit(initialized)


def _approval(aid, step, status, submitted, decided, updated, comments=None):
    return {
        "approval_id": aid,
        "document_type": "PURCHASE_ORDER",
        "document_id": 900,
        "step_no": step,
        "approver_employee_id": 7 + step,
        "status": status,
        "submitted_at": submitted,
        "decided_at": decided,
        "comments": comments,
        "updated_at": updated,
    }


APPROVALS = [
    _approval(1, 1, "APPROVED", at(DAY, 8), at(DAY, 10, 30), at(DAY, 10, 30), "ok"),
    _approval(2, 2, "SUBMITTED", at(DAY, 10, 31), None, at(DAY, 10, 31)),
    _approval(3, 1, "APPROVED", at(days(-1), 8), at(days(-1), 9), at(days(-1), 9)),
]


def _workflow(a: Mapping[str, Any]) -> dict[str, Any]:
    decided = a["decided_at"]
    return {
        "workflow_timestamp": a["submitted_at"],
        "document_id": a["document_id"],
        "step_no": a["step_no"],
        "workflow_status": a["status"],
        "approver_id": a["approver_employee_id"],
        "approval_date": decided.date() if decided else None,
        "decided_at": decided,
        "decision_hours": (decided - a["submitted_at"]).total_seconds() / 3600 if decided else None,
        "comments": a["comments"],
    }


def test_approval_workflow_history(audit: Audit) -> None:
    table = "approval_workflow_history"
    audit.reset(table)
    audit.source("erp", {"approvals": APPROVALS})
    expected = {a["approval_id"]: _workflow(a) for a in APPROVALS[:2]}
    assert_rows(audit.run(table, DAY), "workflow_id", expected)

    audit.execute(
        "erp",
        "UPDATE approvals SET status = 'REJECTED', decided_at = %s, comments = 'price too high' "
        "WHERE approval_id = 2",
        (at(DAY, 16),),
    )
    appended = audit.run(table, today())
    changed = {"workflow_status": "REJECTED", "approval_date": DAY, "decision_hours": 5.483333}
    assert_one_new_version(audit, table, "workflow_id", 2, appended, changed)
    assert audit.run(table, today()) == []
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)


CONTRACT = {
    "contract_id": 1,
    "contract_number": "K-1",
    "supplier_id": 501,
    "contract_type": "FRAME",
    "start_date": days(-100),
    "end_date": days(300),
    "total_value": 250000,
    "status": "ACTIVE",
}


def _milestone(mid, planned, actual, status):
    return {
        "milestone_id": mid,
        "contract_id": 1,
        "milestone_description": f"Milestone {mid}",
        "planned_date": planned,
        "actual_date": actual,
        "status": status,
        "responsible_party": "SUPPLIER",
        "completion_evidence": "Signed protocol" if actual else None,
        "updated_at": at(actual or DAY, 15),
    }


MILESTONES = [
    _milestone(1, days(-20), days(-22), "COMPLETE"),
    _milestone(2, days(10), None, "PENDING"),
    _milestone(3, days(-10), days(-5), "LATE"),
]


def _tracked(m: Mapping[str, Any]) -> dict[str, Any]:
    actual = m["actual_date"]
    return {
        "tracking_date": m["updated_at"].date(),
        "contract_id": 1,
        "contract_number": "K-1",
        "supplier_id": 501,
        "contract_status": "ACTIVE",
        "planned_date": m["planned_date"],
        "actual_date": actual,
        "milestone_status": m["status"],
        "status_complete": "YES" if actual else "NO",
        "days_late": (actual - m["planned_date"]).days if actual else None,
        "responsible_party": "SUPPLIER",
    }


def test_contract_milestone_tracking(audit: Audit) -> None:
    table = "contract_milestone_tracking"
    audit.reset(table)
    audit.source("supplier", {"contracts": [CONTRACT], "contract_milestones": MILESTONES})
    expected = {m["milestone_id"]: _tracked(m) for m in MILESTONES}
    assert [expected[m]["days_late"] for m in (1, 2, 3)] == [-2, None, 5]
    assert_rows(audit.run(table), "milestone_id", expected)

    audit.execute(
        "supplier",
        "UPDATE contract_milestones SET status = 'COMPLETE', actual_date = %s "
        "WHERE milestone_id = 2",
        (days(9),),
    )
    appended = audit.run(table)
    changed = {"status_complete": "YES", "days_late": -1, "tracking_date": today()}
    assert_one_new_version(audit, table, "milestone_id", 2, appended, changed)
    assert audit.run(table) == []
    assert_append_only(audit, table)


def _hold(hid, placed, released=None, by=None, disposition=None, analysis=None, updated=None):
    return {
        "hold_id": hid,
        "hold_number": f"QH-{hid}",
        "material_id": 77,
        "warehouse_id": 3,
        "quantity": 12.5,
        "reason": "Hardness out of tolerance",
        "placed_at": placed,
        "placed_by_employee_id": 5,
        "released_at": released,
        "released_by_employee_id": by,
        "disposition": disposition,
        "analysis_performed": analysis,
        "root_cause": "Heat treatment" if analysis else None,
        "updated_at": updated or released or placed,
    }


HOLDS = [
    _hold(1, at(DAY, 8)),
    _hold(2, at(days(-2), 8), at(DAY, 14), 9, "REWORK", "Sample re-inspection"),
    # released without a documented analysis
    _hold(3, at(days(-1), 8), at(DAY, 9), 9, "RELEASE"),
    _hold(4, at(days(-3), 8), updated=at(days(-1), 8)),
]


def _held(h: Mapping[str, Any]) -> dict[str, Any]:
    released = h["released_at"]
    documented = all((h["disposition"], h["analysis_performed"], h["released_by_employee_id"]))
    return {
        "hold_date": h["placed_at"].date(),
        "quantity_on_hold": 12.5,
        "hold_status": "RELEASED" if released else "ON_HOLD",
        "released_date": released.date() if released else None,
        "released_by": h["released_by_employee_id"],
        "hours_on_hold": (released - h["placed_at"]).total_seconds() / 3600 if released else None,
        "disposition": h["disposition"],
        "release_documented": None if released is None else ("YES" if documented else "NO"),
    }


def test_quality_hold_records(audit: Audit) -> None:
    table = "quality_hold_records"
    audit.reset(table)
    audit.source("quality", {"quality_holds": HOLDS})
    expected = {h["hold_id"]: _held(h) for h in HOLDS[:3]}
    assert [expected[h]["release_documented"] for h in (1, 2, 3)] == [None, "YES", "NO"]
    assert_rows(audit.run(table, DAY), "hold_id", expected)

    audit.execute(
        "quality",
        "UPDATE quality_holds SET released_at = %s, released_by_employee_id = 9, "
        "disposition = 'SCRAP', analysis_performed = 'Lab test' WHERE hold_id = 1",
        (at(days(1), 8),),
    )
    appended = audit.run(table, today())
    changed = {"hold_status": "RELEASED", "hours_on_hold": 24, "release_documented": "YES"}
    assert_one_new_version(audit, table, "hold_id", 1, appended, changed)
    assert audit.run(table, today()) == []
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)


def _dispute(did, customer, supplier, amount, opened, resolved=None, settlement=None):
    return {
        "dispute_id": did,
        "dispute_number": f"DSP-{did}",
        "dispute_type": "PRICE",
        "customer_id": customer,
        "supplier_id": supplier,
        "amount_in_dispute": amount,
        "opened_at": opened,
        "status": "RESOLVED" if resolved else "OPEN",
        "resolved_at": resolved,
        "resolution_method": "NEGOTIATION" if resolved else None,
        "settlement_amount": settlement,
        "updated_at": resolved or opened,
    }


DISPUTES = [
    _dispute(1, 11, None, 1200.50, at(DAY, 9)),
    _dispute(2, None, 501, 800, at(days(-3), 6), at(DAY, 18), 500),
    _dispute(3, 12, 502, 99.99, at(DAY, 11)),
]


def _disputed(d: Mapping[str, Any]) -> dict[str, Any]:
    resolved = d["resolved_at"]
    parties = [f"CUSTOMER {d['customer_id']}"] if d["customer_id"] else []
    parties += [f"SUPPLIER {d['supplier_id']}"] if d["supplier_id"] else []
    return {
        "dispute_date": d["opened_at"].date(),
        "party_1": "GENIMS",
        "party_2": ", ".join(parties),
        "amount_in_dispute": d["amount_in_dispute"],
        "status": d["status"],
        "resolution_date": resolved.date() if resolved else None,
        "days_to_resolution": (resolved - d["opened_at"]).total_seconds() / 86400
        if resolved
        else None,
        "settlement_amount": d["settlement_amount"],
    }


def test_dispute_resolution_log(audit: Audit) -> None:
    table = "dispute_resolution_log"
    audit.reset(table)
    audit.source("financial", {"disputes": DISPUTES})
    expected = {d["dispute_id"]: _disputed(d) for d in DISPUTES}
    assert expected[3]["party_2"] == "CUSTOMER 12, SUPPLIER 502"
    assert_rows(audit.run(table, DAY), "dispute_id", expected)

    audit.execute(
        "financial",
        "UPDATE disputes SET status = 'RESOLVED', resolved_at = %s, settlement_amount = 600, "
        "resolution_method = 'CREDIT_NOTE' WHERE dispute_id = 1",
        (at(days(2), 9),),
    )
    appended = audit.run(table, today())
    changed = {"status": "RESOLVED", "days_to_resolution": 2, "settlement_amount": 600}
    assert_one_new_version(audit, table, "dispute_id", 1, appended, changed)
    assert audit.run(table, today()) == []
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)


def _claim(cid, status, amount, updated, approved=None, payout=None, settlement=None):
    return {
        "claim_id": cid,
        "claim_number": f"WC-{cid}",
        "customer_id": 40 + cid,
        "product_id": 300 + cid,
        "claim_date": updated.date() - timedelta(days=3),
        "claim_amount": amount,
        "status": status,
        "approved_at": approved,
        "approved_by_employee_id": 7 if approved else None,
        "payout_date": payout,
        "settlement_amount": settlement,
        "failure_description": "Bearing noise",
        "updated_at": updated,
    }


CLAIMS = [
    _claim(1, "SUBMITTED", 250, at(DAY, 9)),
    _claim(2, "APPROVED", 120.40, at(DAY, 11), approved=at(DAY, 11)),
    _claim(3, "PAID", 90, at(DAY, 13), approved=at(days(-2), 10), payout=DAY, settlement=80),
    _claim(4, "SUBMITTED", 10, at(days(1), 0)),
]


def _claimed(c: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "claim_number": c["claim_number"],
        "claim_date": c["claim_date"],
        "product_id": c["product_id"],
        "customer_id": c["customer_id"],
        "claim_amount": c["claim_amount"],
        "claim_status": c["status"],
        "approval_date": c["approved_at"].date() if c["approved_at"] else None,
        "approved_by": c["approved_by_employee_id"],
        "payout_date": c["payout_date"],
        "settlement_amount": c["settlement_amount"],
    }


def test_warranty_claim_audit(audit: Audit) -> None:
    table = "warranty_claim_audit"
    audit.reset(table)
    audit.source("service", {"warranty_claims": CLAIMS})
    expected = {c["claim_id"]: _claimed(c) for c in CLAIMS[:3]}
    assert_rows(audit.run(table, DAY), "claim_id", expected)

    audit.execute(
        "service",
        "UPDATE warranty_claims SET status = 'APPROVED', approved_at = %s, "
        "approved_by_employee_id = 8 WHERE claim_id = 1",
        (at(days(1), 9),),
    )
    appended = audit.run(table, today())
    changed = {"claim_status": "APPROVED", "approval_date": days(1), "approved_by": 8}
    assert_one_new_version(audit, table, "claim_id", 1, appended, changed)
    assert audit.run(table, today()) == []
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)


RECALLS = [
    {
        "recall_id": rid,
        "recall_number": f"RCL-{rid}",
        "product_id": 300 + rid,
        "recall_reason": "Seal degrades at high temperature",
        "initiated_at": at(days(-rid), 8),
        "units_affected": affected,
        "units_recalled": recalled,
        "units_returned": returned,
        "units_destroyed": destroyed,
        "regulatory_authority": "EU RAPEX",
        "status": "IN_PROGRESS",
    }
    for rid, affected, recalled, returned, destroyed in ((1, 1000, 600, 400, 100), (2, 0, 0, 0, 0))
]


def _recalled(r: Mapping[str, Any]) -> dict[str, Any]:
    affected = r["units_affected"]
    return {
        "recall_date": r["initiated_at"].date(),
        "units_affected": affected,
        "units_recalled": r["units_recalled"],
        "units_returned": r["units_returned"],
        "units_destroyed": r["units_destroyed"],
        "recall_effectiveness_ratio": r["units_recalled"] / affected if affected else None,
        "recall_status": r["status"],
        "completion_date": None,
    }


def test_product_recall_log(audit: Audit) -> None:
    table = "product_recall_log"
    audit.reset(table)
    audit.source("quality", {"recalls": RECALLS})
    expected = {r["recall_id"]: _recalled(r) for r in RECALLS}
    assert_rows(audit.run(table), "recall_id", expected)

    audit.execute("quality", "UPDATE recalls SET units_recalled = 700 WHERE recall_id = 1")
    appended = audit.run(table)
    changed = {"units_recalled": 700, "recall_effectiveness_ratio": 0.7}
    assert_one_new_version(audit, table, "recall_id", 1, appended, changed)
    assert audit.run(table) == []
    assert_append_only(audit, table)


def _case(cid, complaint, opened, resolved=None, compensation=0):
    return {
        "case_id": cid,
        "case_number": f"CS-{cid}",
        "customer_id": 40 + cid,
        "category": "DELIVERY",
        "severity": "HIGH",
        "is_complaint": complaint,
        "opened_at": opened,
        "status": "RESOLVED" if resolved else "OPEN",
        "resolved_at": resolved,
        "compensation_amount": compensation,
        "description": f"Case {cid}",
        "updated_at": resolved or opened,
    }


CASES = [
    _case(1, True, at(DAY, 9)),
    _case(2, True, at(days(-1), 6), at(DAY, 18), 75),
    # not a complaint
    _case(3, False, at(DAY, 10)),
]


def _complaint(c: Mapping[str, Any]) -> dict[str, Any]:
    resolved = c["resolved_at"]
    return {
        "complaint_date": c["opened_at"].date(),
        "customer_id": c["customer_id"],
        "complaint_category": "DELIVERY",
        "severity_level": "HIGH",
        "status": c["status"],
        "resolution_date": resolved.date() if resolved else None,
        "days_to_resolution": (resolved - c["opened_at"]).total_seconds() / 86400
        if resolved
        else None,
        "compensation_amount": c["compensation_amount"],
    }


def test_customer_complaint_tracking(audit: Audit) -> None:
    table = "customer_complaint_tracking"
    audit.reset(table)
    audit.source("crm", {"cases": CASES})
    expected = {c["case_id"]: _complaint(c) for c in CASES if c["is_complaint"]}
    assert expected[2]["days_to_resolution"] == 1.5
    assert_rows(audit.run(table, DAY), "complaint_id", expected)

    audit.execute(
        "crm",
        "UPDATE cases SET status = 'RESOLVED', resolved_at = %s, compensation_amount = 20 "
        "WHERE case_id = 1",
        (at(days(1), 9),),
    )
    appended = audit.run(table, today())
    changed = {"status": "RESOLVED", "days_to_resolution": 1, "compensation_amount": 20}
    assert_one_new_version(audit, table, "complaint_id", 1, appended, changed)
    assert audit.run(table, today()) == []
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)


def _rating(rid, supplier, overall):
    return {
        "rating_id": rid,
        "supplier_id": supplier,
        "period_month": date(2025, 4, 1),
        "quality_rating": overall,
        "delivery_rating": overall,
        "price_competitiveness": 4,
        "responsiveness_rating": 4,
        "overall_score": overall,
        "updated_at": at(DAY, 6),
    }


RATINGS = [
    _rating(1, 501, 2.40),
    _rating(2, 502, 3.50),
    _rating(3, 503, 1.90),
    _rating(4, 504, 3.00),
]
AUDITS = [
    {
        "supplier_audit_id": aid,
        "supplier_id": 503,
        "audit_date": days(-1),
        "auditor": "SGS",
        "score": score,
        "findings_count": 8,
        "result": result,
        "updated_at": at(DAY, 7),
    }
    for aid, score, result in ((1, 55, "FAIL"), (2, 88, "PASS"))
]
CERTS = [
    {
        "certification_id": cid,
        "supplier_id": 501,
        "certification_type": kind,
        "certifying_body": "TUV SUD",
        "issued_date": days(-1096),
        "expiry_date": days(-1) if status == "EXPIRED" else days(900),
        "status": status,
        "updated_at": at(DAY, 1),
    }
    for cid, kind, status in (
        (1, "ISO 9001", "EXPIRED"),
        (2, "ISO 14001", "EXPIRED"),
        (3, "IATF 16949", "VALID"),
    )
]
ORDERS = [
    {
        "purchase_order_id": pid,
        "po_number": f"PO-{pid}",
        "supplier_id": 501 if pid != 3 else 502,
        "buyer_employee_id": 7,
        "cost_center_id": 1,
        "factory_id": 1,
        "order_date": due - timedelta(days=20),
        "due_date": due,
        "total_amount": 1000,
        "status": "RECEIVED",
        "payment_status": "UNPAID",
    }
    for pid, due in ((1, days(-10)), (2, days(-7)), (3, days(-40)))
]
ORDER_LINES = [
    {
        "po_line_id": pid,
        "purchase_order_id": pid,
        "line_no": 1,
        "material_id": 77,
        "quantity": 500,
        "unit_price": 2,
        "line_amount": 1000,
        "due_date": o["due_date"],
    }
    for pid, o in ((o["purchase_order_id"], o) for o in ORDERS)
]
RECEIPTS = [
    {
        "goods_receipt_id": pid,
        "gr_number": f"GR-{pid}",
        "purchase_order_id": pid,
        "po_line_id": pid,
        "material_id": 77,
        "warehouse_id": 1,
        "received_at": at(DAY, 10),
        "quantity_received": 500,
        "quantity_accepted": 500,
        "quantity_rejected": 0,
    }
    for pid in (1, 2, 3)
]


def _violations() -> dict[str, dict[str, Any]]:
    """The documented rules, applied to the hand-made rows."""
    out: dict[str, dict[str, Any]] = {}
    for r in RATINGS:
        score = r["overall_score"]
        if score < 3:
            out[f"LOW_RATING:{r['rating_id']}"] = {
                "violation_date": r["period_month"],
                "supplier_id": r["supplier_id"],
                "violation_type": "LOW_RATING",
                "severity": "HIGH" if score < 2 else "MEDIUM" if score < 2.5 else "LOW",
                "measured_value": score,
                "threshold_value": 3,
                "remediation_required": "YES",
            }
    for a in AUDITS:
        if a["result"] == "FAIL":
            out[f"FAILED_AUDIT:{a['supplier_audit_id']}"] = {
                "violation_date": a["audit_date"],
                "supplier_id": a["supplier_id"],
                "severity": "HIGH",
                "measured_value": a["score"],
                "threshold_value": None,
                "remediation_required": "YES",
            }
    for c in CERTS:
        if c["status"] == "EXPIRED":
            out[f"EXPIRED_CERTIFICATION:{c['certification_id']}"] = {
                "violation_date": c["expiry_date"],
                "supplier_id": c["supplier_id"],
                "severity": "HIGH" if c["certification_type"] == "ISO 9001" else "MEDIUM",
                "measured_value": None,
                "remediation_required": "YES",
            }
    for g in RECEIPTS:
        order = next(o for o in ORDERS if o["purchase_order_id"] == g["purchase_order_id"])
        late = (g["received_at"].date() - order["due_date"]).days
        if late > 7:
            out[f"LATE_DELIVERY:{g['goods_receipt_id']}"] = {
                "violation_date": g["received_at"].date(),
                "supplier_id": order["supplier_id"],
                "violation_type": "LATE_DELIVERY",
                "severity": "HIGH" if late > 30 else "MEDIUM" if late > 14 else "LOW",
                "source_reference": f"goods_receipts {g['gr_number']} ({order['po_number']})",
                "measured_value": late,
                "threshold_value": 7,
                "remediation_required": "YES" if late > 14 else "NO",
                "corrective_action_plan": (
                    "Expediting review with the supplier; confirm delivery dates of open orders"
                    if late > 14
                    else None
                ),
            }
    return out


def test_supplier_performance_violation(audit: Audit) -> None:
    table = "supplier_performance_violation"
    audit.reset(table)
    audit.source(
        "supplier",
        {"supplier_ratings": RATINGS, "supplier_audits": AUDITS, "certifications": CERTS},
    )
    audit.source(
        "erp",
        {
            "purchase_orders": ORDERS,
            "purchase_order_lines": ORDER_LINES,
            "goods_receipts": RECEIPTS,
        },
    )
    expected = _violations()
    assert sorted(expected) == [
        "EXPIRED_CERTIFICATION:1",
        "EXPIRED_CERTIFICATION:2",
        "FAILED_AUDIT:1",
        "LATE_DELIVERY:1",
        "LATE_DELIVERY:3",
        "LOW_RATING:1",
        "LOW_RATING:3",
    ]
    assert_rows(audit.run(table, DAY), "violation_id", expected)

    audit.execute(
        "supplier", "UPDATE supplier_ratings SET overall_score = 1.80 WHERE rating_id = 1"
    )
    appended = audit.run(table, today())
    changed = {"severity": "HIGH", "measured_value": 1.8}
    assert_one_new_version(audit, table, "violation_id", "LOW_RATING:1", appended, changed)
    assert audit.run(table, today()) == []
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)


def _finding(fid, target, actual, status):
    return {
        "finding_id": fid,
        "audit_date": days(-60),
        "audit_area": "Accounts payable",
        "finding_description": f"Finding {fid}",
        "severity": "MEDIUM",
        "responsible_department": "Finance",
        "corrective_action": "Dual approval of vendor master changes",
        "target_completion_date": target,
        "actual_completion_date": actual,
        "status": status,
    }


FINDINGS = [
    _finding(1, days(-10), days(-12), "CLOSED"),
    _finding(2, days(-10), days(-3), "CLOSED"),
    _finding(3, days(20), None, "IN_PROGRESS"),
]


def _found(f: Mapping[str, Any]) -> dict[str, Any]:
    target, actual = f["target_completion_date"], f["actual_completion_date"]
    return {
        "audit_date": f["audit_date"],
        "target_completion_date": target,
        "actual_completion_date": actual,
        "finding_status": f["status"],
        "completed_on_time": None if actual is None else ("YES" if actual <= target else "NO"),
    }


def test_internal_audit_findings(audit: Audit) -> None:
    table = "internal_audit_findings"
    audit.reset(table)
    audit.source("financial", {"internal_audit_findings": FINDINGS})
    expected = {f["finding_id"]: _found(f) for f in FINDINGS}
    assert [expected[f]["completed_on_time"] for f in (1, 2, 3)] == ["YES", "NO", None]
    assert_rows(audit.run(table), "finding_id", expected)

    audit.execute(
        "financial",
        "UPDATE internal_audit_findings SET status = 'CLOSED', actual_completion_date = %s "
        "WHERE finding_id = 3",
        (days(25),),
    )
    appended = audit.run(table)
    changed = {"finding_status": "CLOSED", "completed_on_time": "NO"}
    assert_one_new_version(audit, table, "finding_id", 3, appended, changed)
    assert audit.run(table) == []
    assert_append_only(audit, table)
