"""The source outboxes as the audit pipeline uses them.

* They are read in commit-horizon order, (txid, event_id) compared as numbers: a transaction id
  that gains a digit (999 -> 1000) must not sort before the shorter ones, as their text would,
  or the cursor would stop behind events already audited.
* Delivered events are purged once their audit rows are old enough, and nothing else is.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from genims_platform.audit import outbox
from genims_platform.audit.ingest import purge_delivered
from genims_platform.lib import pg
from genims_platform.settings import load_settings
from genims_platform.sources import capture
from genims_platform.sources.contract import apply_contract
from genims_platform_tests.audit.conftest import (
    audited_ids,
    insert_setting,
    outbox_ids,
    settle,
    source,
)

pytestmark = pytest.mark.integration


def test_batches_and_the_last_position_follow_numeric_transaction_order(scratch_pg):
    settings = load_settings({**os.environ, "PG_DATABASE_ERP": scratch_pg})
    apply_contract(settings, "erp")
    capture.install_capture(settings, "erp")
    with psycopg.connect(**pg.conninfo(settings.pg_primary, scratch_pg)) as conn:
        for txid in ("1000", "999", "10000", "9"):
            conn.execute(
                "INSERT INTO genims.outbox (txid, schema_name, table_name, operation) "
                "VALUES (%s::text::xid8, 'public', 'customers', 'INSERT')",
                (txid,),
            )
        conn.commit()
        ids = dict(
            conn.execute("SELECT txid::text::bigint, event_id FROM genims.outbox").fetchall()
        )
        horizon = 10_001

        batch = outbox.read_batch(conn, (0, 0), horizon, 10)
        assert [e.txid for e in batch] == [9, 999, 1000, 10000]
        assert outbox.last_position(conn, horizon) == (10000, ids[10000])
        # Resuming after 999 gives exactly the two later transactions.
        rest = outbox.read_batch(conn, (999, ids[999]), horizon, 10)
        assert [e.txid for e in rest] == [1000, 10000]


def test_purge_deletes_only_events_audited_before_the_cutoff(audit_settings, owner, ingest_db):
    settings, logical = audit_settings, "crm"
    for _ in range(3):
        insert_setting(settings, logical, f"purge-{uuid.uuid4().hex[:8]}")
    delivered = settle(settings, owner, ingest_db, logical)
    insert_setting(settings, logical, f"pending-{uuid.uuid4().hex[:8]}")
    pending = sorted(set(outbox_ids(settings, logical)) - set(delivered))
    assert len(pending) == 1

    # Audited moments ago: a day's keep leaves everything where it is.
    kept = purge_delivered(source(settings, logical), ingest_db, logical, keep=timedelta(days=1))
    assert (kept.deleted, kept.skipped) == (0, "nothing audited before the cutoff")
    assert outbox_ids(settings, logical) == delivered + pending

    # A second later every audit row is older than a zero keep: the delivered events go, the
    # pending one (beyond the committed cursor) stays.
    done = purge_delivered(
        source(settings, logical),
        ingest_db,
        logical,
        keep=timedelta(0),
        now=lambda: datetime.now(UTC) + timedelta(seconds=1),
    )
    assert done.deleted == len(delivered)
    assert done.upto is not None and done.upto[1] == max(delivered)
    assert outbox_ids(settings, logical) == pending

    # The pending event still arrives, once; the audit trail of the purged ones is untouched.
    settle(settings, owner, ingest_db, logical)
    audited = audited_ids(owner, logical)
    assert set(delivered + pending) <= set(audited)
    assert len(audited) == len(set(audited))
