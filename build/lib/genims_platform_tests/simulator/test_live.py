"""Live simulation writes through ordinary statements (so capture sees it) and keeps the
invariants of the seeded plant."""

from __future__ import annotations

import pytest

from genims_platform.simulator import simulate_live
from genims_platform_tests.simulator.test_seed import (
    downtime_problems,
    inventory_problems,
    order_total_mismatches,
    query,
    run_problems,
    scalar,
    seed_plant,
    timeline_gaps,
    unbalanced_entries,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def live(initialized):
    settings = initialized
    seed_plant(settings, seed=11)
    before = scalar(settings, "erp", "SELECT count(*) FROM sales_orders")
    counts = simulate_live(settings, rate=60, duration_s=5, seed=3)
    return settings, counts, before


def test_live_writes_business_events(live):
    settings, counts, before = live
    assert counts["events"] > 100
    assert counts["operations.sensor_readings"] > 0
    assert counts["master.user_login_events"] > 0
    assert counts.get("erp.sales_orders", 0) > 0
    assert scalar(settings, "erp", "SELECT count(*) FROM sales_orders") > before
    assert (
        scalar(
            settings,
            "financial",
            "SELECT count(*) FROM journal_entries "
            "WHERE posted_by = 'svc_erp_integration' "
            "AND created_at > now() - interval '1 hour'",
        )
        > 0
    )


def test_live_keeps_the_invariants(live):
    settings, _, _ = live
    assert unbalanced_entries(settings) == []
    assert inventory_problems(settings) == []
    assert order_total_mismatches(settings) == []
    assert run_problems(settings) == []
    assert downtime_problems(settings) == []
    assert timeline_gaps(settings) == []


def test_live_writes_are_captured_with_an_actor(live):
    settings, _, _ = live
    rows = query(
        settings,
        "erp",
        """
        SELECT table_name, operation, app_name, actor FROM genims.outbox
        WHERE app_name = 'genims-simulator' AND operation IN ('INSERT', 'UPDATE')""",
    )
    tables = {r[0] for r in rows}
    assert "sales_orders" in tables and "sales_order_lines" in tables
    assert all(r[3] for r in rows), "every simulator change names its application user"
    # the seed itself is one BULK_LOAD note per table, not millions of row events
    bulk = scalar(
        settings,
        "erp",
        "SELECT count(*) FROM genims.outbox "
        "WHERE operation = 'BULK_LOAD' AND table_name = 'sales_orders'",
    )
    assert bulk >= 1
