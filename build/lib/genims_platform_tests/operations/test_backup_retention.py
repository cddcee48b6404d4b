"""Retention of database backups: which backups a sweep deletes, with an injected clock and the
in-memory blob store (the rules need no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from genims_platform.lib.blob import MemoryBlobStore
from genims_platform.operations.backup_retention import (
    HoldState,
    RetentionPolicy,
    apply_retention,
    backup_name,
    list_backups,
    manifest_name,
    parse_backup_name,
)

CONTAINER = "backups"
NOW = datetime(2026, 3, 14, 2, 30, tzinfo=UTC)
POLICY = RetentionPolicy(
    retention_days=30,
    analytics_retention_days=365,
    analytics_weekly_day=6,
    audit_retention_days=2555,
)


def _store_with(database: str, days_ago: list[int], *, clock=None) -> tuple[MemoryBlobStore, dict]:
    """A dump and a manifest per backup, taken at 02:00 UTC `days_ago` days before NOW."""
    store = MemoryBlobStore(clock=clock or (lambda: NOW))
    store.ensure_container(CONTAINER)
    names = {}
    for days in days_ago:
        taken = NOW.replace(hour=2, minute=0) - timedelta(days=days)
        name = backup_name(database, taken)
        store.put(CONTAINER, name, f"dump {days}".encode())
        store.put(CONTAINER, manifest_name(name), b"{}")
        names[days] = name
    return store, names


def _sweep(store, database, logical, policy=POLICY, **kwargs):
    return apply_retention(
        store,
        CONTAINER,
        database,
        logical,
        policy,
        now=kwargs.pop("now", NOW),
        holds=kwargs.pop("holds", HoldState()),
        performed_by="pytest",
        **kwargs,
    )


def _remaining(store, database) -> set[str]:
    return {b.name for b in list_backups(store, CONTAINER, database)}


def test_names_encode_database_and_time():
    taken = datetime(2026, 3, 14, 2, 0, 1, 123456, tzinfo=UTC)
    name = backup_name("genims_audit_db", taken)
    assert name == ("genims_audit_db/2026/03/14/genims_audit_db-20260314T020001123456Z.sql.gz")
    parsed = parse_backup_name(name)
    assert (parsed.database, parsed.taken_at, parsed.is_manifest) == (
        "genims_audit_db",
        taken,
        False,
    )
    manifest = parse_backup_name(manifest_name(name))
    assert manifest.is_manifest and manifest.dump_name == name
    assert parse_backup_name("genims_audit_db/2026/03/14/other.txt") is None
    assert parse_backup_name("a/2026/03/14/b-20260314T020001123456Z.sql.gz") is None


def test_reporting_backups_are_deleted_after_30_days():
    days = [0, 1, 29, 30, 31, 32, 60, 400]
    store, names = _store_with("rep", days)
    store.put(CONTAINER, "rep/notes.txt", b"not a backup")
    swept = _sweep(store, "rep", "reporting")
    # Independently: a backup of day D may go from day D + 31 on.
    today = NOW.date()
    expired = {d for d in days if (today - timedelta(days=d)) + timedelta(days=30) < today}
    assert expired == {31, 32, 60, 400}
    assert sorted(swept.deleted) == sorted(names[d] for d in expired)
    assert _remaining(store, "rep") == {names[d] for d in days if d not in expired}
    assert store.exists(CONTAINER, "rep/notes.txt")
    for d in expired:
        assert not store.exists(CONTAINER, manifest_name(names[d]))
    deleted = {a.name: a for a in swept.actions}
    assert {a.action for a in swept.actions} == {"DELETED"}
    assert deleted[names[31]].retention_requirement == "reporting backups: 30 days"
    assert deleted[names[31]].deletion_scheduled == (NOW - timedelta(days=31)).date() + timedelta(
        days=31
    )


def test_analytics_keeps_the_weekly_backup_a_year():
    days = list(range(0, 420))
    store, names = _store_with("ana", days)
    swept = _sweep(store, "ana", "analytics")
    today = NOW.date()

    def kept(d: int) -> bool:
        day = today - timedelta(days=d)
        if day.weekday() == 6:  # Sunday
            return day + timedelta(days=365) >= today
        return day + timedelta(days=30) >= today

    assert _remaining(store, "ana") == {names[d] for d in days if kept(d)}
    assert set(swept.deleted) == {names[d] for d in days if not kept(d)}
    sundays = [d for d in days if (today - timedelta(days=d)).weekday() == 6 and kept(d)]
    assert len(sundays) >= 52 and max(sundays) > 358
    labels = {a.retention_requirement for a in swept.actions}
    assert labels == {
        "analytics weekly full backup (Sunday): 365 days",
        "analytics daily backup (not Sunday): 30 days",
    }


def test_the_weekly_day_is_configurable():
    wednesday = RetentionPolicy(analytics_weekly_day=2)
    store, _ = _store_with("ana", list(range(31, 60)))
    _sweep(store, "ana", "analytics", wednesday)
    left = [parse_backup_name(n).taken_at.date() for n in _remaining(store, "ana")]
    assert left and {d.weekday() for d in left} == {2}
    assert len(left) == len(
        [d for d in range(31, 60) if (NOW.date() - timedelta(days=d)).weekday() == 2]
    )


def test_audit_backups_are_kept_seven_years():
    days = [0, 31, 366, 2554, 2555, 2556, 3000]
    store, names = _store_with("aud", days)
    swept = _sweep(store, "aud", "audit")
    assert sorted(swept.deleted) == sorted([names[2556], names[3000]])
    assert _remaining(store, "aud") == {names[d] for d in (0, 31, 366, 2554, 2555)}
    assert all("2555 days" in a.retention_requirement for a in swept.actions)


def test_protected_held_and_refused_backups_are_retained():
    store, names = _store_with("rep", [40, 50, 60, 70, 80])
    store.set_legal_hold(CONTAINER, names[80], True)
    holds = HoldState(held_documents=frozenset({f"{CONTAINER}/{names[60]}"}))
    swept = _sweep(store, "rep", "reporting", holds=holds, protected=[f"{CONTAINER}/{names[50]}"])
    assert sorted(swept.deleted) == sorted([names[40], names[70]])
    assert "restore verification" in swept.retained[names[50]]
    assert "legal hold" in swept.retained[names[60]]
    assert "refused" in swept.retained[names[80]]
    retained = [a for a in swept.actions if a.action == "RETAINED"]
    assert {a.name for a in retained} == {names[50], names[60], names[80]}
    assert all(a.details["reason"] for a in retained)


def test_active_legal_holds_keep_expired_audit_backups():
    days = [2600, 2700, 2800]
    store, names = _store_with("aud", days)
    started = (NOW - timedelta(days=2700)).replace(hour=0, minute=0, tzinfo=None)
    swept = _sweep(store, "aud", "audit", holds=HoldState(active_hold_starts=(started,)))
    # Backups taken once the hold's period had started contain held rows; older ones do not.
    assert swept.deleted == [names[2800]]
    assert set(swept.retained) == {names[2600], names[2700]}
    # A hold from the beginning keeps every audit backup, and none of the other databases'.
    store2, _ = _store_with("aud", days)
    assert _sweep(store2, "aud", "audit", holds=HoldState(active_hold_starts=(None,))).deleted == []
    store3, _ = _store_with("rep", [40])
    assert _sweep(store3, "rep", "reporting", holds=HoldState(active_hold_starts=(None,))).deleted


def test_incomplete_backups_follow_the_same_rule():
    store, names = _store_with("rep", [40, 5])
    store.delete(CONTAINER, manifest_name(names[40]))
    store.delete(CONTAINER, names[5])
    orphan = backup_name("rep", NOW - timedelta(days=45))
    store.put(CONTAINER, manifest_name(orphan), b"{}")
    swept = _sweep(store, "rep", "reporting")
    assert sorted(swept.deleted) == sorted([names[40], orphan])
    assert [b.complete for b in list_backups(store, CONTAINER, "rep")] == [False]


@pytest.mark.parametrize(
    ("logical", "taken", "expected"),
    [
        ("reporting", date(2026, 3, 15), "reporting backups: 30 days"),
        ("analytics", date(2026, 3, 15), "analytics weekly full backup (Sunday): 365 days"),
        ("analytics", date(2026, 3, 16), "analytics daily backup (not Sunday): 30 days"),
        ("audit", date(2026, 3, 16), "audit backups: 2555 days, immutable"),
    ],
)
def test_rule_wording_and_keep_until(logical, taken, expected):
    at = datetime.combine(taken, datetime.min.time(), UTC).replace(hour=2)
    rule = POLICY.rule(logical, at)
    assert rule.label == expected
    assert rule.keep_until(at) == taken + timedelta(days=rule.keep_days)
    assert rule.immutable == (logical == "audit")
    assert not rule.expired(at, at + timedelta(days=rule.keep_days, hours=21))
    assert rule.expired(at, at + timedelta(days=rule.keep_days + 1))
