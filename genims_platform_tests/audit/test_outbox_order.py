"""The outbox is read in commit-horizon order, (txid, event_id) compared as numbers.

A transaction id that gains a digit (999 -> 1000) must not sort before the shorter ones, as
their text would: the cursor would then stop behind events already audited.
"""

from __future__ import annotations

import os

import psycopg
import pytest

from genims_platform.audit import outbox
from genims_platform.lib import pg
from genims_platform.settings import load_settings
from genims_platform.sources import capture
from genims_platform.sources.contract import apply_contract

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
