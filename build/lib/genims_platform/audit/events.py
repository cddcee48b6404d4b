"""From outbox events to audit rows: which table gets what, column by column.

Per captured event of source database ``<db>``:

* `system_audit_log` (stream ``system_audit_log/<db>``): one row for every event, with both
  row images (payload fields exposed as virtual columns);
* `data_change_audit` (``data_change_audit/<db>``): one row per changed column of an UPDATE.
  Change capture is installed only on sensitive tables (customer, financial, personnel,
  supplier and configuration data, SPEC §2), so every captured table counts as sensitive;
  INSERT and DELETE images are complete in system_audit_log;
* `financial_transaction_audit` (``financial_transaction_audit/<db>``): every change of a
  money-moving record of erp and financial (`MONEY_RULES`);
* `user_activity_log` and `security_event_log` (``.../master``): login events captured from
  master.user_login_events; failed logins also become AUTH_FAILURE security events, and the
  fifth failed login of one user within ten minutes raises a SUSPICIOUS_ACTIVITY event;
* `change_management_log` (``change_management_log/<db>``): captured DDL.

Rows carry the source position (source_db, source_generation, source_event_id) that their
unique keys are built on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from genims_platform.audit.canonical import (
    UtcText,
    dumps_canonical,
    utc_text,
    utc_text_from_iso,
)
from genims_platform.audit.chain import CREATED_AT, ChainedRow
from genims_platform.audit.outbox import OutboxEvent

SYSTEM = "system_audit_log"
DATA_CHANGE = "data_change_audit"
FINANCIAL = "financial_transaction_audit"
ACTIVITY = "user_activity_log"
SECURITY = "security_event_log"
CHANGE_MGMT = "change_management_log"

LOGIN_TABLE = ("master", "user_login_events")
FAILED_LOGIN_THRESHOLD = 5
FAILED_LOGIN_WINDOW = timedelta(minutes=10)
SUSPICIOUS_RULE = "failed_logins_5_in_10_min"

_SOURCE = ("source_db", "source_database", "source_generation", "source_event_id", "transaction_id")

COLUMNS: dict[str, tuple[str, ...]] = {
    SYSTEM: (
        "audit_timestamp",
        *_SOURCE,
        "transaction_timestamp",
        "captured_at",
        "schema_name",
        "table_name",
        "entity_type",
        "entity_id",
        "operation",
        "user_id",
        "db_user",
        "session_id",
        "ip_address",
        "application_name",
        "affected_rows_count",
        "status",
        "error_message",
        "duration_ms",
        "row_count_before",
        "row_count_after",
        CREATED_AT,
    ),
    DATA_CHANGE: (
        "change_timestamp",
        *_SOURCE,
        "schema_name",
        "table_name",
        "column_name",
        "primary_key",
        "old_value",
        "new_value",
        "change_type",
        "user_id",
        "change_reason",
        "reason_code",
        "approval_id",
        "approved_by",
        "approval_timestamp",
        CREATED_AT,
    ),
    FINANCIAL: (
        "transaction_timestamp",
        "financial_transaction_id",
        "transaction_type",
        "operation",
        "amount",
        "previous_amount",
        "currency",
        "account_id",
        "document_id",
        "user_id",
        "approval_status",
        "approved_by",
        "reversal_transaction_id",
        *_SOURCE,
        CREATED_AT,
    ),
    ACTIVITY: (
        "activity_timestamp",
        "user_id",
        "username",
        "user_email",
        "action",
        "resource_type",
        "resource_id",
        "application_name",
        "ip_address",
        "user_agent",
        "success",
        "error_message",
        "login_event_id",
        *_SOURCE,
        CREATED_AT,
    ),
    SECURITY: (
        "event_timestamp",
        "event_type",
        "rule_name",
        "user_id",
        "username",
        "resource_accessed",
        "ip_address",
        "severity",
        "action_taken",
        "details",
        *_SOURCE,
        CREATED_AT,
    ),
    CHANGE_MGMT: (
        "change_date",
        "change_description",
        "change_type",
        "change_source",
        "change_ref",
        "source_generation",
        "object_type",
        "object_identity",
        "command_tag",
        "performed_by",
        "approved_by",
        "approval_date",
        "implementation_date",
        "rollback_if_failed",
        "checksum",
        CREATED_AT,
    ),
}
STREAM_TABLES = tuple(COLUMNS)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class MoneyRule:
    """How a captured row of a money-moving table maps onto financial_transaction_audit."""

    kind: str
    amount: Callable[[Mapping[str, Any]], Any] | None = None
    account: str | None = None
    document: str | None = None
    currency: str | None = None
    status: str | None = None
    approved_by: str | None = None
    reversal: str | None = None


def _column(name: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda row: row.get(name)


def _signed(row: Mapping[str, Any]) -> Decimal | None:
    debit, credit = _decimal(row.get("debit")), _decimal(row.get("credit"))
    if debit is None and credit is None:
        return None
    return (debit or Decimal(0)) - (credit or Decimal(0))


def _party(row: Mapping[str, Any]) -> Any:
    if row.get("customer_id") is not None:
        return f"customer:{row['customer_id']}"
    if row.get("supplier_id") is not None:
        return f"supplier:{row['supplier_id']}"
    return None


MONEY_RULES: dict[tuple[str, str], MoneyRule] = {
    ("financial", "journal_entry_lines"): MoneyRule(
        "JOURNAL_LINE", _signed, account="account_id", document="journal_entry_id"
    ),
    ("financial", "journal_entries"): MoneyRule(
        "JOURNAL_ENTRY",
        None,
        document="entry_number",
        status="status",
        approved_by="approved_by_employee_id",
        reversal="reversal_of_id",
    ),
    ("financial", "disputes"): MoneyRule(
        "DISPUTE",
        _column("amount_in_dispute"),
        account=None,
        document="dispute_number",
        status="status",
    ),
    ("erp", "sales_orders"): MoneyRule(
        "SALES_ORDER",
        _column("total_amount"),
        account="customer_id",
        document="order_number",
        currency="currency",
        status="payment_status",
    ),
    ("erp", "sales_order_lines"): MoneyRule(
        "SALES_ORDER_LINE", _column("line_amount"), document="sales_order_id"
    ),
    ("erp", "purchase_orders"): MoneyRule(
        "PURCHASE_ORDER",
        _column("total_amount"),
        account="supplier_id",
        document="po_number",
        currency="currency",
        status="payment_status",
        approved_by="approved_by_employee_id",
    ),
    ("erp", "purchase_order_lines"): MoneyRule(
        "PURCHASE_ORDER_LINE", _column("line_amount"), document="purchase_order_id"
    ),
}


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _money(value: Any) -> Decimal | None:
    amount = value if isinstance(value, Decimal) else _decimal(value)
    return None if amount is None else amount.quantize(CENT)


def _text(value: Any, limit: int | None = None) -> str | None:
    """A scalar as plain text (strings as they are, other JSON as canonical JSON)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    else:
        text = dumps_canonical(value)
    return text if limit is None else text[:limit]


def _key_text(pk: Any) -> str | None:
    if isinstance(pk, dict) and len(pk) == 1:
        return _text(next(iter(pk.values())), 512)
    return _text(pk, 512)


@dataclass
class SourceBatch:
    """Audit rows built from one batch of one source database, per audit table."""

    rows: dict[str, list[ChainedRow]] = field(default_factory=dict)

    def add(self, table: str, row: ChainedRow) -> None:
        self.rows.setdefault(table, []).append(row)

    def streams(self) -> dict[str, str]:
        return {r.stream_id: table for table, rows in self.rows.items() for r in rows[:1]}

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


@dataclass(frozen=True)
class SourceContext:
    logical: str
    database: str
    generation: int
    created_at: UtcText


class FailedLogins:
    """Failed logins per user known so far (from MySQL and from the batch), and alerts raised,
    so the suspicious-pattern rule gives the same answer however events are batched."""

    def __init__(
        self, failures: Iterable[tuple[str, datetime]], alerts: Iterable[tuple[str, datetime]]
    ) -> None:
        self.failures: dict[str, list[datetime]] = {}
        self.alerts: dict[str, list[datetime]] = {}
        for user, at in failures:
            self.failures.setdefault(user, []).append(at)
        for user, at in alerts:
            self.alerts.setdefault(user, []).append(at)

    def record(self, user: str, at: datetime) -> int | None:
        """Record a failure; return the count in the window when it raises an alert."""
        seen = self.failures.setdefault(user, [])
        seen.append(at)
        start = at - FAILED_LOGIN_WINDOW
        count = sum(1 for t in seen if start < t <= at)
        if count < FAILED_LOGIN_THRESHOLD:
            return None
        if any(start < t <= at for t in self.alerts.get(user, ())):
            return None
        self.alerts.setdefault(user, []).append(at)
        return count


def build_rows(
    ctx: SourceContext, events: Iterable[OutboxEvent], logins: FailedLogins | None
) -> SourceBatch:
    """Every audit row one batch of events produces."""
    batch = SourceBatch()
    src = ctx.logical
    streams = {t: f"{t}/{src}" for t in STREAM_TABLES}
    for event in events:
        old, new, pk = event.images()
        user = event.actor or event.db_user
        source = {
            "source_db": src,
            "source_database": ctx.database,
            "source_generation": ctx.generation,
            "source_event_id": event.event_id,
            "transaction_id": event.txid,
        }
        entity_id = _key_text(pk)
        changed = None
        if event.operation == "UPDATE" and old is not None and new is not None:
            changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        affected = 1 if event.operation in ("INSERT", "UPDATE", "DELETE") else None
        if event.operation == "BULK_LOAD" and isinstance(new, dict):
            affected = new.get("rows") if isinstance(new.get("rows"), int) else None
        batch.add(
            SYSTEM,
            ChainedRow(
                streams[SYSTEM],
                {
                    "audit_timestamp": event.stmt_ts,
                    **source,
                    "transaction_timestamp": event.tx_ts,
                    "captured_at": event.captured_at,
                    "schema_name": event.schema_name[:64],
                    "table_name": event.table_name[:128],
                    "entity_type": f"{event.schema_name}.{event.table_name}"[:200],
                    "entity_id": entity_id,
                    "operation": event.operation,
                    "user_id": user[:255],
                    "db_user": event.db_user[:128],
                    "session_id": f"{ctx.database}:{event.txid}"[:64],
                    "ip_address": event.client_addr,
                    "application_name": (event.app_name or None) and event.app_name[:255],
                    "affected_rows_count": affected,
                    "status": "SUCCESS",
                    "error_message": None,
                    "duration_ms": None,
                    "row_count_before": None,
                    "row_count_after": None,
                    CREATED_AT: ctx.created_at,
                },
                {"changed_columns": changed, "old_values": old, "new_values": new},
            ),
        )
        if changed:
            for column in changed:
                batch.add(
                    DATA_CHANGE,
                    ChainedRow(
                        streams[DATA_CHANGE],
                        {
                            "change_timestamp": event.stmt_ts,
                            **source,
                            "schema_name": event.schema_name[:64],
                            "table_name": event.table_name[:128],
                            "column_name": column[:128],
                            "primary_key": entity_id,
                            "old_value": _text(old.get(column)),
                            "new_value": _text(new.get(column)),
                            "change_type": "UPDATE",
                            "user_id": user[:255],
                            "change_reason": (event.app_name or None) and event.app_name[:255],
                            "reason_code": None,
                            "approval_id": None,
                            "approved_by": None,
                            "approval_timestamp": None,
                            CREATED_AT: ctx.created_at,
                        },
                    ),
                )
        rule = MONEY_RULES.get((src, event.table_name))
        if rule is not None and event.operation in ("INSERT", "UPDATE", "DELETE"):
            batch.add(
                FINANCIAL,
                _financial(streams[FINANCIAL], ctx, event, rule, old, new, entity_id, user, source),
            )
        if (src, event.table_name) == LOGIN_TABLE and event.operation == "INSERT" and new:
            _login(batch, streams, ctx, event, new, source, logins)
        if event.operation == "DDL" and isinstance(new, dict):
            batch.add(CHANGE_MGMT, _ddl(streams[CHANGE_MGMT], ctx, event, new, user))
    return batch


def _financial(
    stream: str,
    ctx: SourceContext,
    event: OutboxEvent,
    rule: MoneyRule,
    old: dict | None,
    new: dict | None,
    entity_id: str | None,
    user: str,
    source: dict,
) -> ChainedRow:
    image = new if new is not None else (old or {})
    amount = _money(rule.amount(new)) if rule.amount and new is not None else None
    previous = _money(rule.amount(old)) if rule.amount and old is not None else None
    account = image.get(rule.account) if rule.account else _party(image)
    reversal = image.get(rule.reversal) if rule.reversal else None
    return ChainedRow(
        stream,
        {
            "transaction_timestamp": event.stmt_ts,
            "financial_transaction_id": f"{event.table_name}:{entity_id}"[:160],
            "transaction_type": rule.kind,
            "operation": event.operation,
            "amount": amount,
            "previous_amount": previous,
            "currency": _text(image.get(rule.currency), 8) if rule.currency else None,
            "account_id": _text(account, 64),
            "document_id": _text(image.get(rule.document), 64) if rule.document else None,
            "user_id": user[:255],
            "approval_status": _text(image.get(rule.status), 32) if rule.status else None,
            "approved_by": _text(image.get(rule.approved_by), 64) if rule.approved_by else None,
            "reversal_transaction_id": (
                f"{event.table_name}:{_text(reversal)}"[:160] if reversal is not None else None
            ),
            **source,
            CREATED_AT: ctx.created_at,
        },
    )


def _login(
    batch: SourceBatch,
    streams: dict[str, str],
    ctx: SourceContext,
    event: OutboxEvent,
    new: dict,
    source: dict,
    logins: FailedLogins | None,
) -> None:
    at = utc_text_from_iso(new["event_ts"]) if new.get("event_ts") else event.stmt_ts
    kind = _text(new.get("event_type"), 32) or "LOGIN"
    username = _text(new.get("username"), 255) or ""
    user_id = _text(new.get("user_id"), 64)
    application = _text(new.get("application"), 255)
    ok = bool(new.get("success"))
    batch.add(
        ACTIVITY,
        ChainedRow(
            streams[ACTIVITY],
            {
                "activity_timestamp": at,
                "user_id": user_id,
                "username": username,
                "user_email": None,
                "action": kind,
                "resource_type": "APPLICATION",
                "resource_id": application,
                "application_name": application,
                "ip_address": _text(new.get("ip_address"), 64),
                "user_agent": _text(new.get("user_agent")),
                "success": "YES" if ok else "NO",
                "error_message": _text(new.get("failure_reason")),
                "login_event_id": new.get("login_event_id")
                if isinstance(new.get("login_event_id"), int)
                else None,
                **source,
                CREATED_AT: ctx.created_at,
            },
        ),
    )
    if ok:
        return

    def security(kind: str, rule: str, severity: str, action: str, details: str) -> ChainedRow:
        return ChainedRow(
            streams[SECURITY],
            {
                "event_timestamp": at,
                "event_type": kind,
                "rule_name": rule,
                "user_id": user_id,
                "username": username,
                "resource_accessed": application,
                "ip_address": _text(new.get("ip_address"), 64),
                "severity": severity,
                "action_taken": action,
                "details": details,
                **source,
                CREATED_AT: ctx.created_at,
            },
        )

    reason = _text(new.get("failure_reason")) or "unknown reason"
    batch.add(
        SECURITY,
        security(
            "AUTH_FAILURE",
            "failed_login",
            "MEDIUM",
            "RECORDED",
            f"failed login of {username!r} to {application}: {reason}",
        ),
    )
    if logins is not None:
        count = logins.record(username, parse_utc(at))
        if count is not None:
            batch.add(
                SECURITY,
                security(
                    "SUSPICIOUS_ACTIVITY",
                    SUSPICIOUS_RULE,
                    "HIGH",
                    "ALERT RAISED",
                    f"{count} failed logins of {username!r} within 10 minutes "
                    f"(threshold {FAILED_LOGIN_THRESHOLD})",
                ),
            )


def _ddl(stream: str, ctx: SourceContext, event: OutboxEvent, new: dict, user: str) -> ChainedRow:
    tag = _text(new.get("command_tag"), 64)
    identity = _text(new.get("object_identity"), 512)
    return ChainedRow(
        stream,
        {
            "change_date": event.captured_at,
            "change_description": f"{tag} {identity} in {ctx.database}",
            "change_type": "SOURCE_DDL",
            "change_source": f"pg:{ctx.logical}",
            "change_ref": str(event.event_id),
            "source_generation": ctx.generation,
            "object_type": _text(new.get("object_type"), 64),
            "object_identity": identity,
            "command_tag": tag,
            "performed_by": user[:255],
            "approved_by": None,
            "approval_date": None,
            "implementation_date": event.captured_at,
            "rollback_if_failed": None,
            "checksum": None,
            CREATED_AT: ctx.created_at,
        },
    )


def parse_utc(text: str) -> datetime:
    """A canonical UTC text back to a naive UTC datetime."""
    return datetime.fromisoformat(text.rstrip("Z"))


def identity_row(ctx: SourceContext, epoch: str, previous: str | None) -> ChainedRow:
    """The security event that records a new identity (generation) of a source database."""
    return ChainedRow(
        f"{SECURITY}/{ctx.logical}",
        {
            "event_timestamp": ctx.created_at,
            "event_type": "SOURCE_IDENTITY_CHANGED",
            "rule_name": "source_epoch",
            "user_id": None,
            "username": None,
            "resource_accessed": ctx.database,
            "ip_address": None,
            "severity": "HIGH" if previous else "LOW",
            "action_taken": f"started generation {ctx.generation}",
            "details": (
                f"{ctx.database} changed identity from {previous} to {epoch} (restored, "
                "recreated or failed over); events are read again from the start and events "
                "already audited are recognised and skipped"
                if previous
                else f"first ingest from {ctx.database} (identity {epoch})"
            ),
            "source_db": ctx.logical,
            "source_database": ctx.database,
            "source_generation": ctx.generation,
            "source_event_id": 0,
            "transaction_id": 0,
            CREATED_AT: ctx.created_at,
        },
    )


def now_text(now: datetime) -> UtcText:
    return utc_text(now)
