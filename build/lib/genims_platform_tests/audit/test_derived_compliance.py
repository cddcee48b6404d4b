"""Source-derived compliance tables of the audit database against hand-made source rows.

For every table: the rows of a first materialisation are compared with values computed here
from the hand-made rows; one source record then changes and exactly one new version is appended
(`record_version` 2, chained to the stream's previous row); a rerun without changes appends
nothing; and the rows refuse UPDATE and DELETE. The helpers are shared with
`test_derived_business_rules.py`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import dagster as dg
import pymysql
import pytest

from genims_platform.audit import verify
from genims_platform.audit.canonical import GENESIS_HASH, row_hash
from genims_platform.lib import mysql, pg
from genims_platform.settings import Settings
from genims_platform_tests import harness

pytestmark = pytest.mark.integration

DAY = date(2025, 5, 12)
TEMPLATE_DAY = DAY - timedelta(days=400)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def days(n: int) -> date:
    return DAY + timedelta(days=n)


def today() -> date:
    """The open partition: where a source UPDATE lands (the touch trigger sets updated_at)."""
    return datetime.now(UTC).date()


@dataclass
class Audit:
    """The initialised databases, the definitions and one Dagster instance for a module."""

    settings: Settings
    definitions: dg.Definitions
    instance: dg.DagsterInstance

    def reset(self, table: str) -> None:
        """Empty an audit table and its stream (TRUNCATE bypasses the triggers: owner only)."""
        with mysql.connect(self.settings.target("audit"), autocommit=True) as conn:
            with conn.cursor() as cur:
                cur.execute(f"TRUNCATE TABLE {mysql.quote_ident(table)}")
                cur.execute("DELETE FROM audit_chain_head WHERE stream_id = %s", (table,))

    def source(self, logical: str, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        """Replace the rows of source tables (parents first) with hand-made ones."""
        harness.clear(self.settings, logical, list(tables))
        for table, rows in tables.items():
            harness.put(self.settings, logical, table, list(rows))

    def execute(self, logical: str, statement: str, params: Sequence[Any] = ()) -> None:
        with pg.connect(self.settings.pg_primary, self.settings.source_db(logical)) as conn:
            conn.execute(statement, params)

    def rows(self, table: str) -> list[dict[str, Any]]:
        with mysql.connect(self.settings.target("audit")) as conn, conn.cursor() as cur:
            cur.execute(f"SELECT * FROM {mysql.quote_ident(table)} ORDER BY stream_seq")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def run(self, table: str, day: date | None = None) -> list[dict[str, Any]]:
        """Materialise `table` (one day, or the whole table); the rows it appended."""
        before = len(self.rows(table))
        result = harness.materialize(
            self.definitions,
            "audit",
            table,
            day=day,
            instance=self.instance,
        )
        assert result.success
        failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
        assert not failed, failed
        return self.rows(table)[before:]


def module_audit(settings: Settings) -> Iterator[Audit]:
    """One Dagster instance per test module (a fresh one per run costs a second each)."""
    with dg.instance_for_test() as instance:
        yield Audit(settings, harness.defs(), instance)


@pytest.fixture(scope="module")
def audit(initialized) -> Iterator[Audit]:
    """`initialized` applies the append-only triggers to every chained table."""
    yield from module_audit(initialized)


def _same(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    if isinstance(expected, datetime):
        return actual == expected.astimezone(UTC).replace(tzinfo=None)
    if isinstance(expected, int | float | Decimal) and not isinstance(expected, bool):
        return abs(Decimal(str(actual)) - Decimal(str(expected))) < Decimal("0.005")
    return actual == expected


def assert_rows(
    rows: Sequence[Mapping[str, Any]], key: str, expected: Mapping[Any, Mapping[str, Any]]
) -> None:
    """The rows are exactly the expected keys, version 1, with the expected values."""
    got = {r[key]: r for r in rows}
    assert sorted(got) == sorted(expected)
    for k, values in expected.items():
        assert got[k]["record_version"] == 1, k
        wrong = {c: (got[k][c], v) for c, v in values.items() if not _same(got[k][c], v)}
        assert not wrong, f"{key}={k}: (actual, expected) {wrong}"


def assert_chain(rows: Sequence[Mapping[str, Any]]) -> None:
    """Gapless, linked, and every hash recomputes from the stored payload."""
    previous = GENESIS_HASH
    for seq, row in enumerate(rows, start=1):
        assert row["stream_seq"] == seq
        assert row["previous_hash_sha256"] == previous
        digest = row_hash(row["stream_id"], seq, previous, row["canonical_payload"])
        assert row["hash_sha256"] == digest
        previous = digest


def assert_one_new_version(
    audit: Audit,
    table: str,
    key: str,
    value: Any,
    appended: Sequence[Mapping[str, Any]],
    changed: Mapping[str, Any],
) -> None:
    """Exactly one new row: version 2 of `value`, chained to the row before it; the full
    verification (links, hashes, stored columns against the payload) passes."""
    assert [(r[key], r["record_version"]) for r in appended] == [(value, 2)]
    rows = audit.rows(table)
    assert_chain(rows)
    new = rows[-1]
    assert new["previous_hash_sha256"] == rows[-2]["hash_sha256"]
    first = next(r for r in rows if r[key] == value and r["record_version"] == 1)
    assert new["content_sha256"] != first["content_sha256"]
    wrong = {c: (new[c], v) for c, v in changed.items() if not _same(new[c], v)}
    assert not wrong, f"(actual, expected) {wrong}"
    with mysql.connect(audit.settings.target("audit")) as conn:
        report = verify.verify_all(conn, tables=[table])
    assert report.status == "VALID", report.all_problems


def assert_append_only(audit: Audit, table: str) -> None:
    quoted = mysql.quote_ident(table)
    with mysql.connect(audit.settings.target("audit"), autocommit=True) as conn:
        with conn.cursor() as cur:
            for statement in (
                f"UPDATE {quoted} SET record_version = record_version + 10 LIMIT 1",
                f"DELETE FROM {quoted} LIMIT 1",
            ):
                with pytest.raises(pymysql.err.MySQLError, match="append-only"):
                    cur.execute(statement)


def supplier_master(*ids: int, created: date = TEMPLATE_DAY) -> list[dict[str, Any]]:
    return [
        {
            "supplier_id": s,
            "supplier_code": f"S{s}",
            "supplier_name": f"Supplier {s}",
            "supplier_category": "CASTINGS",
            "country": "DE",
            "region": "EU",
            "city": "Essen",
            "created_at": at(created, 9),
        }
        for s in ids
    ]


def _ticket(tid, opened, response, resolved, sla_response, sla_resolution, updated):
    return {
        "ticket_id": tid,
        "ticket_number": f"TCK-{tid}",
        "customer_id": 40 + tid,
        "channel": "PHONE",
        "priority": "P2",
        "category": "REPAIR",
        "opened_at": opened,
        "first_response_at": response,
        "resolved_at": resolved,
        "sla_response_minutes": sla_response,
        "sla_resolution_minutes": sla_resolution,
        "status": "RESOLVED" if resolved else "IN_PROGRESS",
        "updated_at": updated,
    }


TICKETS = [
    _ticket(1, at(DAY, 8), at(DAY, 8, 30), at(DAY, 12), 60, 480, at(DAY, 12)),
    # answered late, not resolved yet
    _ticket(2, at(DAY, 9), at(DAY, 11), None, 60, 480, at(DAY, 11)),
    # resolved without a separate first response, exactly at the response deadline
    _ticket(3, at(DAY, 10), None, at(DAY, 10, 45), 45, 240, at(DAY, 10, 45)),
    # changed the day before: not in the partition
    _ticket(4, at(days(-1), 8), at(days(-1), 8, 5), None, 60, 480, at(days(-1), 8, 5)),
]
CARRIERS = [{"carrier_id": 1, "carrier_code": "C1", "carrier_name": "Carrier", "mode": "ROAD"}]
ROUTES = [
    {
        "route_id": 1,
        "origin_warehouse_id": 1,
        "destination_country": "DE",
        "destination_region": "EU",
        "destination_city": "Bonn",
        "distance_km": 100,
        "standard_transit_days": 2,
    }
]


def _shipment(sid, shipped, planned, delivered, updated):
    return {
        "shipment_id": sid,
        "shipment_number": f"SHP-{sid}",
        "sales_order_id": 1,
        "customer_id": 70 + sid,
        "carrier_id": 1,
        "route_id": 1,
        "warehouse_id": 1,
        "shipped_at": shipped,
        "planned_delivery_date": planned,
        "delivered_at": delivered,
        "status": "DELIVERED" if delivered else "IN_TRANSIT",
        "updated_at": updated,
    }


SHIPMENTS = [
    # unchanged since shipping; its proof of delivery (on the day) brings it in: one day late
    _shipment(1, at(days(-2), 6), days(-1), None, at(days(-2), 6)),
    _shipment(2, at(DAY, 7), days(2), None, at(DAY, 7)),
    # delivered on the planned day, no proof-of-delivery row
    _shipment(3, at(days(-1), 7), DAY, at(DAY, 20), at(DAY, 20)),
]
DELIVERIES = [
    {"shipment_id": 1, "delivered_at": at(DAY, 10), "condition": "GOOD", "on_time": False}
]


def _ticket_slas(t: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for sla_type, target, reached in (
        ("RESPONSE", t["sla_response_minutes"], t["first_response_at"] or t["resolved_at"]),
        ("RESOLUTION", t["sla_resolution_minutes"], t["resolved_at"]),
    ):
        actual = None if reached is None else (reached - t["opened_at"]).total_seconds() / 60
        met = None if actual is None else actual <= target
        out[f"TICKET:{t['ticket_id']}:{sla_type}"] = {
            "tracking_date": t["opened_at"].date(),
            "sla_type": sla_type,
            "source_record_type": "SERVICE_TICKET",
            "source_record_id": t["ticket_id"],
            "source_record_number": t["ticket_number"],
            "customer_id": t["customer_id"],
            "target_value": target,
            "actual_value": actual,
            "compliance_status": {None: "PENDING", True: "MET", False: "BREACHED"}[met],
            "compliant": {None: None, True: "YES", False: "NO"}[met],
            "violation_count": 1 if met is False else 0,
        }
    return out


def _delivery_sla(s: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    proof = next(
        (d["delivered_at"] for d in DELIVERIES if d["shipment_id"] == s["shipment_id"]), None
    )
    delivered = proof or s["delivered_at"]
    shipped = s["shipped_at"].date()
    met = None if delivered is None else delivered.date() <= s["planned_delivery_date"]
    return {
        f"SHIPMENT:{s['shipment_id']}:DELIVERY": {
            "tracking_date": shipped,
            "sla_type": "DELIVERY",
            "source_record_type": "SHIPMENT",
            "source_record_id": s["shipment_id"],
            "customer_id": s["customer_id"],
            "target_value": (s["planned_delivery_date"] - shipped).days,
            "actual_value": None if delivered is None else (delivered.date() - shipped).days,
            "compliance_status": {None: "PENDING", True: "MET", False: "BREACHED"}[met],
            "compliant": {None: None, True: "YES", False: "NO"}[met],
            "violation_count": 1 if met is False else 0,
        }
    }


def test_sla_compliance_tracking(audit: Audit) -> None:
    table = "sla_compliance_tracking"
    audit.reset(table)
    audit.source("service", {"service_tickets": TICKETS})
    audit.source(
        "tms",
        {"carriers": CARRIERS, "routes": ROUTES, "shipments": SHIPMENTS, "deliveries": DELIVERIES},
    )
    expected: dict[str, dict[str, Any]] = {}
    for t in TICKETS[:3]:
        expected.update(_ticket_slas(t))
    for s in SHIPMENTS:
        expected.update(_delivery_sla(s))
    assert expected["TICKET:2:RESPONSE"]["compliance_status"] == "BREACHED"
    assert expected["TICKET:3:RESPONSE"]["compliance_status"] == "MET"
    assert expected["SHIPMENT:1:DELIVERY"]["compliance_status"] == "BREACHED"
    assert_rows(audit.run(table, DAY), "sla_id", expected)

    audit.execute(
        "service",
        "UPDATE service_tickets SET resolved_at = opened_at + interval '5 hours', "
        "status = 'RESOLVED' WHERE ticket_id = 2",
    )
    appended = audit.run(table, today())
    changed = {"actual_value": 300, "compliance_status": "MET", "compliant": "YES"}
    assert_one_new_version(audit, table, "sla_id", "TICKET:2:RESOLUTION", appended, changed)
    assert audit.run(table, today()) == []
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)


REQUESTS = [
    {
        "request_id": rid,
        "request_number": f"DSR-{rid}",
        "data_subject_type": "CUSTOMER_CONTACT",
        "data_subject_id": 500 + rid,
        "request_type": kind,
        "received_at": received,
        "due_at": received + timedelta(days=30),
        "status": status,
        "completed_at": completed,
        "fulfilled_by_employee_id": 7 if completed else None,
        "notes": None,
    }
    for rid, kind, received, status, completed in (
        (1, "ACCESS", at(DAY, 9), "COMPLETED", at(days(10), 9)),
        (2, "DELETE", at(DAY, 9), "COMPLETED", at(days(31), 9)),
        # denied exactly at the deadline: answered in time
        (3, "PORTABILITY", at(DAY, 9), "DENIED", at(days(30), 9)),
        (4, "RECTIFICATION", at(DAY, 14), "PENDING", None),
    )
]


def _gdpr(r: Mapping[str, Any]) -> dict[str, Any]:
    deadline = r["received_at"] + timedelta(days=30)
    done = r["completed_at"]
    return {
        "request_number": r["request_number"],
        "request_date": r["received_at"].date(),
        "received_at": r["received_at"],
        "request_type": r["request_type"],
        "status": r["status"],
        "legal_deadline_at": deadline,
        "completion_date": done.date() if done else None,
        "completed_at": done,
        "days_to_complete": (done - r["received_at"]).total_seconds() / 86400 if done else None,
        "deadline_met": None if done is None else ("YES" if done <= deadline else "NO"),
        "fulfilled_by": r["fulfilled_by_employee_id"],
    }


def test_gdpr_data_request_log(audit: Audit) -> None:
    table = "gdpr_data_request_log"
    audit.reset(table)
    audit.source("crm", {"gdpr_requests": REQUESTS})
    expected = {r["request_id"]: _gdpr(r) for r in REQUESTS}
    assert [expected[i]["deadline_met"] for i in (1, 2, 3, 4)] == ["YES", "NO", "YES", None]
    assert_rows(audit.run(table), "request_id", expected)

    audit.execute(
        "crm",
        "UPDATE gdpr_requests SET status = 'COMPLETED', completed_at = %s, "
        "fulfilled_by_employee_id = 8 WHERE request_id = 4",
        (at(days(20), 16),),
    )
    appended = audit.run(table)
    changed = {"status": "COMPLETED", "deadline_met": "YES", "days_to_complete": 20.083333}
    assert_one_new_version(audit, table, "request_id", 4, appended, changed)
    assert audit.run(table) == []
    assert_append_only(audit, table)


INCIDENTS = [
    {
        "incident_id": iid,
        "incident_number": f"PRIV-{iid}",
        "detected_at": at(DAY, 8),
        "description": "Customer list e-mailed to the wrong recipient",
        "affected_records_count": count,
        "severity": severity,
        "root_cause": "Human error",
        "remediation": None,
        "regulator_notified_at": notified,
        "status": "OPEN",
    }
    for iid, count, severity, notified in (
        (1, 120, "HIGH", at(days(2), 8)),
        (2, 2400, "CRITICAL", at(days(4), 8)),
        (3, 0, "LOW", None),
    )
]


def _incident(i: Mapping[str, Any]) -> dict[str, Any]:
    notified = i["regulator_notified_at"]
    hours = None if notified is None else (notified - i["detected_at"]).total_seconds() / 3600
    return {
        "incident_date": DAY,
        "affected_records_count": i["affected_records_count"],
        "severity_level": i["severity"],
        "incident_status": i["status"],
        "regulatory_notification_date": notified.date() if notified else None,
        "hours_to_notification": hours,
        "notified_within_72h": None if hours is None else ("YES" if hours <= 72 else "NO"),
    }


def test_privacy_incident_report(audit: Audit) -> None:
    table = "privacy_incident_report"
    audit.reset(table)
    audit.source("service", {"privacy_incidents": INCIDENTS})
    expected = {i["incident_id"]: _incident(i) for i in INCIDENTS}
    assert [expected[i]["notified_within_72h"] for i in (1, 2, 3)] == ["YES", "NO", None]
    assert_rows(audit.run(table), "incident_id", expected)

    audit.execute(
        "service",
        "UPDATE privacy_incidents SET status = 'CLOSED', remediation = 'Recipient deleted it' "
        "WHERE incident_id = 3",
    )
    appended = audit.run(table)
    changed = {"incident_status": "CLOSED", "remediation_taken": "Recipient deleted it"}
    assert_one_new_version(audit, table, "incident_id", 3, appended, changed)
    assert audit.run(table) == []
    assert_append_only(audit, table)


ACCESSES = [
    {
        "access_id": 1,
        "supplier_id": 501,
        "user_name": "s501.user1",
        "accessed_at": at(DAY, 10),
        "resource": "purchase_orders",
        "action": "VIEW",
        "ip_address": "10.1.2.3",
        "access_granted": True,
        "justification": "Order confirmation",
        "approved_by_employee_id": 7,
        "session_minutes": 15,
    },
    # a supplier unknown to master data, refused
    {
        "access_id": 2,
        "supplier_id": 999,
        "user_name": "s999.user1",
        "accessed_at": at(DAY, 23, 59),
        "resource": "drawings",
        "action": "DOWNLOAD",
        "access_granted": False,
    },
    {
        "access_id": 3,
        "supplier_id": 501,
        "user_name": "s501.user2",
        "accessed_at": at(days(1), 0),
        "resource": "invoices",
        "action": "VIEW",
        "access_granted": True,
    },
]


def test_third_party_access_log(audit: Audit) -> None:
    table = "third_party_access_log"
    audit.reset(table)
    audit.source("master", {"suppliers": supplier_master(501)})
    audit.source("supplier", {"portal_access_log": ACCESSES})
    expected = {
        1: {
            "access_date": DAY,
            "accessed_at": at(DAY, 10),
            "supplier_id": 501,
            "third_party_name": "Supplier 501",
            "user_name": "s501.user1",
            "data_accessed": "purchase_orders",
            "access_action": "VIEW",
            "access_granted": "YES",
            "ip_address": "10.1.2.3",
            "access_justification": "Order confirmation",
            "duration_minutes": 15,
            "access_approved_by": 7,
            "access_revoked_date": None,
        },
        2: {
            "access_date": DAY,
            "third_party_name": None,
            "access_granted": "NO",
            "ip_address": None,
            "duration_minutes": None,
        },
    }
    assert_rows(audit.run(table, DAY), "access_id", expected)

    # The source is insert-only; a late correction is seen when its day is read again (the
    # nightly restatement of the last week).
    audit.execute(
        "supplier",
        "UPDATE portal_access_log SET revoked_at = %s WHERE access_id = 1",
        (at(days(1), 8),),
    )
    appended = audit.run(table, DAY)
    changed = {"access_revoked_date": days(1)}
    assert_one_new_version(audit, table, "access_id", 1, appended, changed)
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)


def _ncr(ncr_id, opened, updated, supplier=None, status="OPEN"):
    return {
        "ncr_id": ncr_id,
        "ncr_number": f"NCR-{ncr_id}",
        "supplier_id": supplier,
        "product_id": 300,
        "description": f"Defect {ncr_id}",
        "severity": "MAJOR",
        "status": status,
        "opened_at": opened,
        "cost_impact": 100 * ncr_id,
        "updated_at": updated,
    }


def _capa(capa_id, ncr_id, kind, due, status, updated, completed=None, effectiveness=None):
    return {
        "capa_id": capa_id,
        "ncr_id": ncr_id,
        "action_type": kind,
        "description": f"Action {capa_id}",
        "due_date": due,
        "status": status,
        "completed_at": completed,
        "effectiveness": effectiveness,
        "updated_at": updated,
    }


NCRS = [
    # unchanged NCR, one of its actions changed on the day
    _ncr(1, at(days(-3), 8), at(days(-3), 8), supplier=501),
    _ncr(2, at(DAY, 8), at(DAY, 8)),
    _ncr(3, at(days(-20), 8), at(DAY, 15), status="CLOSED"),
    _ncr(4, at(days(-5), 8), at(days(-1), 8)),
]
CAPAS = [
    _capa(1, 1, "CORRECTIVE", days(10), "IN_PROGRESS", at(DAY, 9)),
    _capa(2, 3, "CORRECTIVE", days(-4), "DONE", at(days(-2), 9), at(days(-2), 9), "EFFECTIVE"),
    _capa(3, 3, "PREVENTIVE", days(-1), "DONE", at(days(-1), 9), at(days(-1), 9)),
    _capa(4, 4, "CORRECTIVE", days(5), "OPEN", at(days(-1), 9)),
]


def _gap(n: Mapping[str, Any], analysed: date) -> dict[str, Any]:
    actions = sorted((c for c in CAPAS if c["ncr_id"] == n["ncr_id"]), key=lambda c: c["capa_id"])
    open_ = [c for c in actions if c["status"] != "DONE"]
    done = [c for c in actions if c["status"] == "DONE"]
    if not actions:
        verification = "NO_ACTION_PLANNED"
    elif any(c["status"] == "OVERDUE" for c in actions):
        verification = "OVERDUE"
    elif open_:
        verification = "IN_REMEDIATION"
    elif any(c["effectiveness"] not in (None, "EFFECTIVE") for c in done):
        verification = "NOT_EFFECTIVE"
    elif any(c["effectiveness"] is None for c in done):
        verification = "AWAITING_VERIFICATION"
    else:
        verification = "VERIFIED_EFFECTIVE"
    plan = "; ".join(
        f"{c['action_type']}: {c['description']} (due {c['due_date'].isoformat()}, {c['status']})"
        for c in actions
    )
    return {
        "analysis_date": analysed,
        "opened_date": n["opened_at"].date(),
        "regulation": "ISO 9001:2015",
        "regulation_clause": (
            "8.4 Control of externally provided processes, products and services"
            if n["supplier_id"]
            else "8.7 Control of nonconforming outputs"
        ),
        "gap_status": n["status"],
        "cost_impact": n["cost_impact"],
        "corrective_action_count": len(actions),
        "open_action_count": len(open_),
        "remediation_plan": plan or None,
        "target_completion_date": max((c["due_date"] for c in actions), default=None),
        "actual_completion_date": (
            max(c["completed_at"] for c in done).date() if actions and not open_ else None
        ),
        "verification_status": verification,
    }


def test_compliance_gap_analysis(audit: Audit) -> None:
    table = "compliance_gap_analysis"
    audit.reset(table)
    audit.source("quality", {"non_conformances": NCRS, "corrective_actions": CAPAS})
    expected = {n["ncr_id"]: _gap(n, DAY) for n in NCRS[:3]}
    assert [expected[i]["verification_status"] for i in (1, 2, 3)] == [
        "IN_REMEDIATION",
        "NO_ACTION_PLANNED",
        "AWAITING_VERIFICATION",
    ]
    assert_rows(audit.run(table, DAY), "gap_id", expected)

    audit.execute(
        "quality",
        "UPDATE corrective_actions SET effectiveness = 'PARTIALLY_EFFECTIVE' WHERE capa_id = 3",
    )
    appended = audit.run(table, today())
    changed = {"verification_status": "NOT_EFFECTIVE", "analysis_date": today()}
    assert_one_new_version(audit, table, "gap_id", 3, appended, changed)
    assert audit.run(table, today()) == []
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)


def _cert(cid, supplier, kind, issued, expiry, status, updated):
    return {
        "certification_id": cid,
        "supplier_id": supplier,
        "certification_type": kind,
        "certifying_body": "TUV SUD",
        "issued_date": issued,
        "expiry_date": expiry,
        "status": status,
        "updated_at": at(updated, 11),
    }


def _supplier_audit(aid, supplier, when, score, result, next_due=None):
    return {
        "supplier_audit_id": aid,
        "supplier_id": supplier,
        "audit_date": when,
        "auditor": "SGS",
        "score": score,
        "findings_count": 2,
        "result": result,
        "next_audit_due": next_due,
        "updated_at": at(when, 16),
    }


VENDOR_CERTS = [
    _cert(1, 501, "ISO 9001", days(-50), days(1000), "VALID", days(-50)),
    _cert(2, 501, "ISO 14001", days(-1100), days(-5), "EXPIRED", days(-5)),
    _cert(3, 502, "ISO 9001", days(-40), days(1050), "VALID", days(-40)),
]
VENDOR_AUDITS = [
    _supplier_audit(1, 501, days(-400), 60, "FAIL"),
    _supplier_audit(2, 501, days(-30), 85, "PASS", days(335)),
    _supplier_audit(3, 502, days(-10), 90, "PASS"),
]


def _vendor(vendor_id: int, certs: list[dict], audits: list[dict]) -> dict[str, Any]:
    mine = [c for c in certs if c["supplier_id"] == vendor_id]
    valid = [c for c in mine if c["status"] == "VALID"]
    history = sorted(
        (a for a in audits if a["supplier_id"] == vendor_id), key=lambda a: a["audit_date"]
    )
    last = history[-1] if history else None
    changes = [c["updated_at"] for c in mine] + [a["updated_at"] for a in history]
    score = 0.6 * (last["score"] if last else 0) + (40 * len(valid) / len(mine) if mine else 0)
    if not valid or (last and last["result"] == "FAIL"):
        status = "NON_COMPLIANT"
    elif last is None or last["result"] == "CONDITIONAL" or len(valid) < len(mine):
        status = "CONDITIONAL"
    else:
        status = "COMPLIANT"
    return {
        "assessment_date": max(changes).date() if changes else TEMPLATE_DAY,
        "vendor_name": f"Supplier {vendor_id}",
        "vendor_active": "YES",
        "compliance_score": score,
        "compliance_status": status,
        "certifications": "; ".join(
            f"{c['certification_type']} until {c['expiry_date'].isoformat()}" for c in valid
        )
        or None,
        "certification_count": len(mine),
        "valid_certification_count": len(valid),
        "has_iso_9001": "YES"
        if any(c["certification_type"] == "ISO 9001" for c in valid)
        else "NO",
        "last_audit_date": last["audit_date"] if last else None,
        "last_audit_result": last["result"] if last else None,
        "last_audit_score": last["score"] if last else None,
        "next_audit_required_date": (
            (last["next_audit_due"] or last["audit_date"] + timedelta(days=365)) if last else None
        ),
    }


def test_vendor_compliance_status(audit: Audit) -> None:
    table = "vendor_compliance_status"
    audit.reset(table)
    audit.source("master", {"suppliers": supplier_master(501, 502, 503)})
    audit.source("supplier", {"certifications": VENDOR_CERTS, "supplier_audits": VENDOR_AUDITS})
    expected = {v: _vendor(v, VENDOR_CERTS, VENDOR_AUDITS) for v in (501, 502, 503)}
    assert [expected[v]["compliance_status"] for v in (501, 502, 503)] == [
        "CONDITIONAL",
        "COMPLIANT",
        "NON_COMPLIANT",
    ]
    assert_rows(audit.run(table), "vendor_id", expected)

    audit.execute(
        "supplier", "UPDATE certifications SET status = 'SUSPENDED' WHERE certification_id = 3"
    )
    suspended = [
        {**c, "status": "SUSPENDED"} if c["certification_id"] == 3 else c for c in VENDOR_CERTS
    ]
    changed = {**_vendor(502, suspended, VENDOR_AUDITS), "assessment_date": today()}
    assert changed["compliance_status"] == "NON_COMPLIANT"
    appended = audit.run(table)
    assert_one_new_version(audit, table, "vendor_id", 502, appended, changed)
    assert audit.run(table) == []
    assert_append_only(audit, table)


DEPARTMENTS = [{"department_id": 1, "department_code": "PRD", "department_name": "Production"}]


def _employee(eid, hired, terminated=None):
    return {
        "employee_id": eid,
        "employee_number": f"E{eid}",
        "first_name": "Ann",
        "last_name": f"Doe{eid}",
        "email": f"e{eid}@genims.test",
        "job_title": "Operator",
        "department_id": 1,
        "employment_type": "FULL_TIME",
        "hire_date": hired,
        "termination_date": terminated,
        "hourly_rate": 30,
        "status": "TERMINATED" if terminated else "ACTIVE",
    }


EMPLOYEES = [
    _employee(1, days(-800)),
    _employee(2, days(-900)),
    _employee(3, days(-900), terminated=days(-10)),
    _employee(4, days(5)),
]


def _training(tid, eid, course, completed, expires, status="COMPLETED"):
    return {
        "training_id": tid,
        "employee_id": eid,
        "course_code": course,
        "course_name": course,
        "completed_at": completed,
        "expires_at": expires,
        "status": status,
    }


TRAINING = [
    # expired, then renewed
    _training(1, 1, "SAF-101", at(days(-400), 10), at(days(-35), 10), "EXPIRED"),
    _training(2, 1, "SAF-101", at(days(-30), 10), at(days(335), 10)),
    _training(3, 1, "ISO-9001", at(days(-100), 10), None),
    _training(4, 2, "LOTO-201", at(days(-800), 10), at(days(-70), 10), "EXPIRED"),
    # expires in the last second of the review day
    _training(5, 2, "CYB-130", at(days(-365), 10), at(DAY, 23, 59) + timedelta(seconds=59)),
    _training(6, 2, "GDPR-110", at(days(-2), 10), None, "FAILED"),
    _training(7, 3, "SAF-101", at(days(-800), 10), at(days(-435), 10), "EXPIRED"),
]


def _checklist_training(day: date) -> dict[str, Any]:
    cutoff = at(day + timedelta(days=1), 0)
    active = [
        e["employee_id"]
        for e in EMPLOYEES
        if e["hire_date"] <= day and (e["termination_date"] is None or e["termination_date"] > day)
    ]
    failing: dict[int, list[str]] = {}
    for eid in active:
        latest: dict[str, dict] = {}
        for t in sorted(TRAINING, key=lambda t: t["completed_at"]):
            done = t["employee_id"] == eid and t["status"] in ("COMPLETED", "EXPIRED")
            if done and t["completed_at"] < cutoff:
                latest[t["course_code"]] = t
        expired = sorted(
            c for c, t in latest.items() if t["expires_at"] and t["expires_at"] < cutoff
        )
        if expired:
            failing[eid] = expired
    listed = ", ".join(f"employee {e} ({' '.join(c)})" for e, c in sorted(failing.items()))
    return _item(
        day,
        "ISO9001-7.2-TRAINING",
        len(active),
        len(failing),
        f"{len(failing)} of {len(active)} active employees hold an expired certificate"
        + (f": {listed}" if failing else ""),
    )


def _request(rid, received, completed):
    return {
        "request_id": rid,
        "request_number": f"DSR-{rid}",
        "data_subject_type": "EMPLOYEE",
        "data_subject_id": rid,
        "request_type": "ACCESS",
        "received_at": received,
        "due_at": received + timedelta(days=30),
        "status": "COMPLETED" if completed else "IN_PROGRESS",
        "completed_at": completed,
    }


CHECKLIST_REQUESTS = [
    _request(1, at(days(-35), 9), at(days(-20), 9)),
    # due 30 days before the review day: out of the period, answered
    _request(2, at(days(-60), 9), at(days(-40), 9)),
    _request(3, at(days(-45), 9), None),
    _request(4, at(days(-10), 9), None),
    _request(5, at(days(-31), 10), at(DAY, 12)),
]


def _checklist_gdpr(day: date) -> dict[str, Any]:
    cutoff = at(day + timedelta(days=1), 0)
    checked, failed = [], []
    for r in CHECKLIST_REQUESTS:
        deadline = r["received_at"] + timedelta(days=30)
        answered = r["completed_at"] is not None and r["completed_at"] < cutoff
        if deadline >= cutoff or (deadline < cutoff - timedelta(days=30) and answered):
            continue
        checked.append(r["request_id"])
        if not answered or r["completed_at"] > deadline:
            failed.append(r["request_id"])
    listed = ", ".join(f"request {i}" for i in failed)
    return _item(
        day,
        "GDPR-ART12-30D",
        len(checked),
        len(failed),
        f"{len(failed)} of {len(checked)} requests due in the last 30 days or still open were "
        "not answered in time" + (f": {listed}" if failed else ""),
    )


def _contract(cid, supplier, start, end, status):
    return {
        "contract_id": cid,
        "contract_number": f"K-{cid}",
        "supplier_id": supplier,
        "contract_type": "FRAME",
        "start_date": start,
        "end_date": end,
        "total_value": 1000,
        "status": status,
    }


CONTRACTS = [
    _contract(1, 501, days(-100), days(100), "ACTIVE"),
    _contract(2, 502, days(-200), days(-1), "EXPIRED"),
    _contract(3, 503, days(-10), days(10), "ACTIVE"),
    _contract(4, 504, days(-10), days(10), "DRAFT"),
]
CHECKLIST_CERTS = [
    _cert(1, 501, "ISO 9001", days(-300), days(65), "VALID", days(-300)),
    _cert(2, 503, "ISO 9001", days(-1096), days(-1), "EXPIRED", days(-1)),
    _cert(3, 503, "ISO 14001", days(-300), days(65), "VALID", days(-300)),
]


def _checklist_suppliers(day: date, certs: list[dict]) -> dict[str, Any]:
    under_contract = sorted(
        {
            c["supplier_id"]
            for c in CONTRACTS
            if c["start_date"] <= day <= c["end_date"] and c["status"] in ("ACTIVE", "EXPIRED")
        }
    )
    failed = [
        s
        for s in under_contract
        if not any(
            c["supplier_id"] == s
            and c["certification_type"] == "ISO 9001"
            and c["status"] != "SUSPENDED"
            and c["issued_date"] <= day <= c["expiry_date"]
            for c in certs
        )
    ]
    listed = ", ".join(f"supplier {s}" for s in failed)
    return _item(
        day,
        "ISO9001-8.4-SUPPLIER-CERT",
        len(under_contract),
        len(failed),
        f"{len(failed)} of {len(under_contract)} suppliers under contract have no valid ISO 9001 "
        "certificate" + (f": {listed}" if failed else ""),
    )


def _item(day: date, code: str, checked: int, failed: int, evidence: str) -> dict[str, Any]:
    return {
        "checklist_id": f"{day.isoformat()}/{code}",
        "review_date": day,
        "requirement_code": code,
        "status": "NOT_APPLICABLE"
        if not checked
        else ("COMPLIANT" if not failed else "NON_COMPLIANT"),
        "items_checked": checked,
        "items_failed": failed,
        "evidence": evidence,
    }


def test_regulatory_compliance_checklist(audit: Audit) -> None:
    table = "regulatory_compliance_checklist"
    audit.reset(table)
    audit.source(
        "hr", {"departments": DEPARTMENTS, "employees": EMPLOYEES, "training_records": TRAINING}
    )
    audit.source("crm", {"gdpr_requests": CHECKLIST_REQUESTS})
    audit.source("supplier", {"contracts": CONTRACTS, "certifications": CHECKLIST_CERTS})
    items = [
        _checklist_training(DAY),
        _checklist_gdpr(DAY),
        _checklist_suppliers(DAY, CHECKLIST_CERTS),
    ]
    assert [(i["items_checked"], i["items_failed"]) for i in items] == [(2, 1), (3, 2), (2, 1)]
    expected = {i["checklist_id"]: i for i in items}
    rows = audit.run(table, DAY)
    assert_rows(rows, "checklist_id", expected)
    assert all(r["remediation_plan"] for r in rows)

    # A renewal recorded on the certificate changes the day's evaluation of the supplier
    # control only; the nightly restatement of the day appends it.
    audit.execute(
        "supplier",
        "UPDATE certifications SET expiry_date = %s, status = 'VALID' WHERE certification_id = 2",
        (days(900),),
    )
    renewed = [
        {**c, "expiry_date": days(900), "status": "VALID"} if c["certification_id"] == 2 else c
        for c in CHECKLIST_CERTS
    ]
    item = _checklist_suppliers(DAY, renewed)
    assert item["status"] == "COMPLIANT"
    appended = audit.run(table, DAY)
    changed = {**item, "remediation_plan": None}
    assert_one_new_version(audit, table, "checklist_id", item["checklist_id"], appended, changed)
    assert audit.run(table, DAY) == []
    assert_append_only(audit, table)
