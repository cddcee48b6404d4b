"""Property: with random legal holds over random audit rows of random ages, the retention job
never purges a held row, purges every expired row of the purgeable prefix of each stream (up to
the first row that is too young or held), and the chains keep verifying."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genims_platform.audit import verify
from genims_platform.audit.events import SECURITY
from genims_platform.lib.blob import MemoryBlobStore
from genims_platform.operations.legal_holds import HoldRequest, place_hold, release_holds
from genims_platform.operations.retention import (
    RetentionRequest,
    dedicated_connection,
    run_retention,
)
from genims_platform_tests.operations.conftest import rt_append_events

pytestmark = pytest.mark.integration

RETENTION_DAYS = 2555
# Ages in hours. Expired rows fall in one week, so rows of one day (one window, one chunk)
# and hold boundaries between them are common; all ages keep clear of the cut-off, so the
# seconds between generating the rows and the run never decide anything.
OLD = st.integers((RETENTION_DAYS + 5) * 24, (RETENTION_DAYS + 12) * 24)
YOUNG = st.integers(0, (RETENTION_DAYS - 15) * 24)
AGE = st.one_of(OLD, OLD, YOUNG)
STREAM = st.lists(AGE, min_size=1, max_size=7)
BOUND = st.one_of(st.none(), OLD, YOUNG)
HOLD = st.tuples(st.sampled_from(["table", 0, 1, 2]), BOUND, BOUND)


@pytest.fixture(scope="module")
def base_time() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _expected_purged(rows: list[datetime], holds: list[tuple], stream: str, cutoff: datetime):
    """Seqs (from 1) the job must purge: the prefix of expired rows no hold covers."""
    purged = []
    for seq, created in enumerate(rows, start=1):
        held = any(
            (s is None or s == stream)
            and (lo is None or created >= lo)
            and (hi is None or created <= hi)
            for s, lo, hi in holds
        )
        if created >= cutoff or held:
            break
        purged.append(seq)
    return purged


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    streams=st.lists(STREAM, min_size=1, max_size=3),
    holds=st.lists(HOLD, max_size=3),
    chunk_rows=st.integers(1, 4),
)
def test_no_held_row_is_purged_and_every_purgeable_row_is(
    rt_owner, rt_retention_db, base_time, streams, holds, chunk_rows
):
    names = [f"{SECURITY}/rtp{uuid.uuid4().hex[:10]}" for _ in streams]
    created = {
        name: [base_time - timedelta(hours=age, minutes=i) for i, age in enumerate(ages)]
        for name, ages in zip(names, streams, strict=True)
    }
    for name in names:
        rt_append_events(rt_owner, name, created[name])
    scopes = []
    for scope, a, b in holds:
        older, newer = sorted((a, b), reverse=True) if a is not None and b is not None else (a, b)
        lo = base_time - timedelta(hours=older, seconds=30) if older is not None else None
        hi = base_time - timedelta(hours=newer, seconds=-30) if newer is not None else None
        stream = None if scope == "table" else names[scope % len(names)]
        scopes.append((stream, lo, hi))
    placed = []
    try:
        with dedicated_connection(rt_owner) as conn:
            for stream, lo, hi in scopes:
                placed += place_hold(
                    conn,
                    HoldRequest(
                        "M-PROP",
                        "Property case",
                        "property test",
                        tables=() if stream else (SECURITY,),
                        streams=(stream,) if stream else (),
                        covers_from=lo,
                        covers_to=hi,
                    ),
                    performed_by="pytest",
                )
        report = run_retention(
            rt_retention_db,
            None,
            MemoryBlobStore(),
            chunk_rows=chunk_rows,
            reporting_months=12,
            archive_container="gt-rt-property",
            backup_container="gt-rt-property-backups",
            request=RetentionRequest(targets=("audit",), tables=(SECURITY,)),
            run_id=f"prop-{uuid.uuid4().hex[:8]}",
            performed_by="pytest property",
            streams=set(names).__contains__,
        )
        assert not report.failed, [a.details for a in report.failed]
        cutoff = rt_owner.scalar("SELECT UTC_TIMESTAMP(6)") - timedelta(days=RETENTION_DAYS)
        purged_total = 0
        for name in names:
            expected = _expected_purged(created[name], scopes, name, cutoff)
            purged_total += len(expected)
            left = [
                int(r[0])
                for r in rt_owner.query(
                    f"SELECT stream_seq FROM {SECURITY} WHERE stream_id = %s ORDER BY stream_seq",
                    (name,),
                )
            ]
            assert left == list(range(len(expected) + 1, len(created[name]) + 1)), name
            for seq, when in enumerate(created[name], start=1):
                if any(
                    (s is None or s == name)
                    and (lo is None or when >= lo)
                    and (hi is None or when <= hi)
                    for s, lo, hi in scopes
                ):
                    assert seq in left, f"held row {name} seq {seq} was purged"
        assert report.rows("PURGED") == purged_total
        with rt_owner.connect() as conn:
            checked = verify.verify_all(conn, tables=[SECURITY])
        problems = [p for s in checked.streams if s.stream_id in names for p in s.problems]
        assert problems == []
    finally:
        if placed:
            with dedicated_connection(rt_owner) as conn:
                release_holds(
                    conn,
                    hold_ids=[h.hold_id for h in placed],
                    reason="example done",
                    performed_by="pytest",
                )
