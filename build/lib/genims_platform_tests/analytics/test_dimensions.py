"""Dimensions on hand-made source rows: SCD2 history (change, no change, two changes in one
day, a back-dated change, a deletion and a return), type-1 merges, stable surrogate keys,
idempotent reruns, the calendar, and the interval checks failing on broken data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from genims_platform.lib import mysql
from genims_platform.lib.dimensional import BEGINNING_OF_TIME, END_OF_TIME
from genims_platform_tests import harness
from genims_platform_tests.analytics import support

pytestmark = pytest.mark.integration

HISTORY = ("customer_id", "version", "customer_key", "valid_from", "valid_to", "is_current")


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def customer(cid: int, name: str, region: str, marker: datetime) -> dict:
    return {
        "customer_id": cid,
        "customer_code": f"C{cid}",
        "customer_name": name,
        "customer_type": "OEM",
        "industry": "Automotive",
        "country": "DE",
        "region": region,
        "city": "Berlin",
        "updated_at": marker,
    }


def account(cid: int, segment: str, marker: datetime) -> dict:
    return {"account_id": cid, "customer_id": cid, "segment": segment, "updated_at": marker}


@pytest.fixture(scope="module")
def defs():
    return support.definitions()


@pytest.fixture
def customers(contracts):
    harness.clear(contracts, "master", ("customers", "factories"))
    harness.clear(contracts, "crm", ("customer_accounts",))
    support.reset(contracts, ("dim_customer", "dim_factory"))
    harness.put(
        contracts,
        "master",
        "customers",
        [
            customer(1, "Acme", "EMEA", at("2025-01-05")),
            customer(2, "Birch", "EMEA", at("2025-01-06")),
            customer(3, "Cobalt", "AMER", at("2025-01-07")),  # no CRM account
        ],
    )
    harness.put(
        contracts,
        "crm",
        "customer_accounts",
        [account(1, "SMB", at("2025-01-05")), account(2, "ENTERPRISE", at("2025-01-06"))],
    )
    return contracts


def history(settings, cid: int | None = None) -> list[tuple]:
    where, params = ("customer_id = %s", (cid,)) if cid is not None else ("customer_id > 0", ())
    frame = support.rows(settings, "dim_customer", "customer_id, version", where, params)
    return support.records(frame, HISTORY)


def merge(defs, settings, table: str = "dim_customer") -> dict:
    result = support.run(defs, table)
    assert result.success
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed == []
    return support.metadata(result, table)


def test_scd2_history_through_change_no_change_same_day_backdated_and_deletion(defs, customers):
    settings = customers
    meta = merge(defs, settings)
    assert meta["versions_opened"] == 3 and meta["members_new"] == 3
    first = [
        (1, 1, 1, BEGINNING_OF_TIME, END_OF_TIME, 1),
        (2, 1, 2, BEGINNING_OF_TIME, END_OF_TIME, 1),
        (3, 1, 3, BEGINNING_OF_TIME, END_OF_TIME, 1),
    ]
    assert history(settings) == first
    segments = support.rows(settings, "dim_customer", "customer_id", "customer_id > 0")
    assert list(segments["segment"]) == ["SMB", "ENTERPRISE", "UNASSIGNED"]

    # No change: no new version, same keys, not a single row rewritten.
    with mysql.connect(settings.target("analytics")) as conn, conn.cursor() as cur:
        cur.execute("SELECT customer_key, updated_at FROM dim_customer ORDER BY 1")
        before = cur.fetchall()
    meta = merge(defs, settings)
    assert meta["versions_opened"] == 0 and meta["rows_inserted"] == 0
    assert meta["rows_updated"] == 0
    assert history(settings) == first
    with mysql.connect(settings.target("analytics")) as conn, conn.cursor() as cur:
        cur.execute("SELECT customer_key, updated_at FROM dim_customer ORDER BY 1")
        assert cur.fetchall() == before

    # A tracked change (segment, from CRM) opens exactly one version on the day of its marker;
    # a correction (the name, from master data) rewrites every version and opens none.
    support.change(
        settings, "crm", "customer_accounts", {"customer_id": 1},
        {"segment": "STRATEGIC", "updated_at": at("2025-03-10")},
    )  # fmt: skip
    support.change(
        settings, "master", "customers", {"customer_id": 2},
        {"customer_name": "Birch Ltd", "updated_at": at("2025-03-11")},
    )  # fmt: skip
    meta = merge(defs, settings)
    assert meta["versions_opened"] == 1 and meta["versions_closed_by_change"] == 1
    assert meta["rows_corrected_type1"] == 1
    assert history(settings, 1) == [
        (1, 1, 1, BEGINNING_OF_TIME, date(2025, 3, 10), 0),
        (1, 2, 4, date(2025, 3, 10), END_OF_TIME, 1),
    ]
    versions = support.rows(settings, "dim_customer", "version", "customer_id = 1")
    assert list(versions["segment"]) == ["SMB", "STRATEGIC"]
    assert history(settings, 2) == [(2, 1, 2, BEGINNING_OF_TIME, END_OF_TIME, 1)]
    assert support.rows(settings, "dim_customer", "version", "customer_id = 2")[
        "customer_name"
    ].tolist() == ["Birch Ltd"]

    # Two changes on one day: each run opens exactly one version; the first of the day is kept
    # as a zero-length interval, so the day resolves to its end-of-day state.
    support.change(
        settings, "master", "customers", {"customer_id": 1},
        {"region": "APAC", "updated_at": at("2025-03-20", 8)},
    )  # fmt: skip
    assert merge(defs, settings)["versions_opened"] == 1
    support.change(
        settings, "master", "customers", {"customer_id": 1},
        {"city": "Singapore", "updated_at": at("2025-03-20", 15)},
    )  # fmt: skip
    assert merge(defs, settings)["versions_opened"] == 1
    assert history(settings, 1) == [
        (1, 1, 1, BEGINNING_OF_TIME, date(2025, 3, 10), 0),
        (1, 2, 4, date(2025, 3, 10), date(2025, 3, 20), 0),
        (1, 3, 5, date(2025, 3, 20), date(2025, 3, 20), 0),
        (1, 4, 6, date(2025, 3, 20), END_OF_TIME, 1),
    ]

    # A back-dated change (its marker is older than the current version) never rewrites
    # closed history: it takes effect from the start of the current version.
    support.change(
        settings, "crm", "customer_accounts", {"customer_id": 2},
        {"segment": "SMB", "updated_at": at("2025-04-01")},
    )  # fmt: skip
    merge(defs, settings)
    support.change(
        settings, "crm", "customer_accounts", {"customer_id": 2},
        {"segment": "MID_MARKET", "updated_at": at("2025-03-15")},
    )  # fmt: skip
    assert merge(defs, settings)["versions_opened"] == 1
    assert history(settings, 2) == [
        (2, 1, 2, BEGINNING_OF_TIME, date(2025, 4, 1), 0),
        (2, 2, 7, date(2025, 4, 1), date(2025, 4, 1), 0),
        (2, 3, 8, date(2025, 4, 1), END_OF_TIME, 1),
    ]

    # A member deleted in the source: its current version closes on the day it was noticed,
    # history stays, and a rerun changes nothing.
    today = datetime.now(UTC).date()
    support.delete(settings, "master", "customers", {"customer_id": 3})
    meta = merge(defs, settings)
    assert meta["versions_closed_by_deletion"] == 1 and meta["versions_opened"] == 0
    assert history(settings, 3) == [(3, 1, 3, BEGINNING_OF_TIME, today, 0)]
    assert merge(defs, settings)["rows_updated"] == 0

    # ... and when it comes back it opens a new version, never before the old one ended.
    harness.put(settings, "master", "customers", [customer(3, "Cobalt", "AMER", at("2025-01-07"))])
    meta = merge(defs, settings)
    assert meta["members_returned"] == 1
    assert history(settings, 3) == [
        (3, 1, 3, BEGINNING_OF_TIME, today, 0),
        (3, 2, 9, today, END_OF_TIME, 1),
    ]

    # Keys were never re-numbered: every key handed out so far still names the same version.
    assert [r[2] for r in history(settings)] == [1, 4, 5, 6, 2, 7, 8, 3, 9]


def test_a_source_that_returns_nothing_closes_nothing(defs, customers):
    settings = customers
    merge(defs, settings)
    harness.clear(settings, "master", ("customers",))
    result = support.run(defs, "dim_customer")
    assert not result.success
    assert all(row[5] == 1 for row in history(settings))


def test_type1_merge_overwrites_in_place_keeps_keys_and_members(defs, customers):
    settings = customers
    factories = [
        {"factory_id": 10, "factory_code": "F10", "factory_name": "Leipzig", "country": "DE",
         "region": "EMEA", "city": "Leipzig"},
        {"factory_id": 20, "factory_code": "F20", "factory_name": "Austin", "country": "US",
         "region": "AMER", "city": "Austin"},
    ]  # fmt: skip
    harness.put(settings, "master", "factories", factories)
    assert merge(defs, settings, "dim_factory")["members_new"] == 2
    support.change(settings, "master", "factories", {"factory_id": 20}, {"factory_name": "Dallas"})
    support.delete(settings, "master", "factories", {"factory_id": 10})
    harness.put(
        settings,
        "master",
        "factories",
        [{**factories[0], "factory_id": 5, "factory_code": "F5", "factory_name": "Lyon"}],
    )
    meta = merge(defs, settings, "dim_factory")
    assert (meta["members_new"], meta["members_changed"], meta["members_not_in_source"]) == (
        1,
        1,
        1,
    )
    frame = support.rows(settings, "dim_factory", "factory_key")
    assert support.records(frame, ("factory_key", "factory_id", "factory_name")) == [
        (0, -1, "Unknown factory"),
        (1, 10, "Leipzig"),
        (2, 20, "Dallas"),
        (3, 5, "Lyon"),
    ]
    assert merge(defs, settings, "dim_factory")["rows_updated"] == 0


def test_the_calendar_covers_history_and_the_planning_horizon(defs, contracts):
    harness.clear(contracts, "financial", ("accounting_periods",))
    harness.put(
        contracts,
        "financial",
        "accounting_periods",
        [
            {"period_id": 1, "period_code": "2025-01", "start_date": date(2025, 1, 1),
             "end_date": date(2025, 1, 31), "status": "CLOSED"},
            {"period_id": 2, "period_code": "2025-Q1", "start_date": date(2025, 1, 1),
             "end_date": date(2025, 3, 31), "status": "OPEN"},
        ],
    )  # fmt: skip
    support.reset(contracts, ("dim_date",))
    merge(defs, contracts, "dim_date")
    frame = support.rows(contracts, "dim_date", "date", "date_key > 0")
    today = datetime.now(UTC).date()
    assert frame["date"].min() <= date(today.year - 7, 1, 1)
    assert frame["date"].max() >= date(today.year + 2, 12, 31)
    assert len(frame) == (frame["date"].max() - frame["date"].min()).days + 1  # no gaps
    day = frame.set_index("date")
    assert day.loc[date(2025, 1, 15), "date_key"] == 20250115
    assert day.loc[date(2025, 1, 15), "fiscal_period_code"] == "2025-01"  # the shorter period
    assert day.loc[date(2025, 2, 15), "fiscal_period_code"] == "2025-Q1"
    assert pd.isna(day.loc[date(2025, 4, 15), "fiscal_period_code"])
    sat = day.loc[date(2025, 3, 1)]
    assert (sat["day_of_week"], sat["day_name"], sat["is_weekend"], sat["iso_week"]) == (
        6,
        "Saturday",
        1,
        9,
    )
    assert day.loc[date(2024, 2, 29), "is_month_end"] == 1
    assert day.loc[date(2025, 3, 31), "calendar_month"] == "2025-03"


def test_interval_checks_fail_on_broken_history_and_name_the_rows(defs, customers):
    settings = customers
    merge(defs, settings)
    support.change(
        settings, "crm", "customer_accounts", {"customer_id": 1},
        {"segment": "STRATEGIC", "updated_at": at("2025-03-10")},
    )  # fmt: skip
    merge(defs, settings)
    assert support.check(defs, "dim_customer", "scd2_no_overlap").passed
    assert support.check(defs, "dim_customer", "scd2_one_current_row").passed

    with mysql.connect(settings.target("analytics")) as conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE dim_customer SET valid_to = '2025-06-30' WHERE customer_id = 1 AND version = 1"
        )
    overlap = support.check(defs, "dim_customer", "scd2_no_overlap")
    assert not overlap.passed
    named = overlap.metadata["offending_rows_json"].value
    assert [(r["customer_id"], r["version"], r["previous_valid_to"]) for r in named] == [
        (1, 2, "2025-06-30")
    ]

    with mysql.connect(settings.target("analytics")) as conn, conn.cursor() as cur:
        cur.execute("UPDATE dim_customer SET is_current = 1 WHERE customer_id = 1")
    current = support.check(defs, "dim_customer", "scd2_one_current_row")
    assert not current.passed
    assert [r["customer_id"] for r in current.metadata["offending_rows_json"].value] == [1]

    # The same tests guard the merge: a merge on top of broken history is refused and the
    # published rows stay as they were for someone to repair.
    before = history(settings)
    result = support.run(defs, "dim_customer")
    assert not result.success
    assert [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert history(settings) == before
