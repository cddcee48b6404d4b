"""The nightly order of the warehouse, as the automation sensor sees it: dimensions at 01:00,
each fact once every dimension it points at was merged that night (they run in separate runs,
so the fact must wait for real materialisations), aggregates after their facts, nothing twice
a night, and a freshness policy that matches a nightly refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from genims_platform.lib.keys import target_key
from genims_platform_tests import harness
from genims_platform_tests.analytics import support

NIGHT = datetime(2026, 11, 22, tzinfo=UTC)
LAST_WEEK = [f"2026-11-{d}" for d in range(15, 22)]  # the 7 complete days before the night
DIMENSIONS = [s.name for s in support.SPECS.values() if s.partitioning is None]
FACTS = [n for n in support.SPECS if n.startswith("fact_")]
CUSTOMER_FACTS = {"fact_sales_order_line", "fact_shipment", "fact_service_ticket"}


@pytest.fixture(scope="module")
def definitions():
    return support.definitions()


def requested(result) -> dict[str, set]:
    out: dict[str, set] = {}
    for evaluation in result.results:
        key = evaluation.key
        if isinstance(key, dg.AssetKey) and result.get_num_requested(key):
            out[key.path[-1]] = set(result.get_requested_partitions(key))
    return out


def materialised(instance, name: str, partitions=(None,)) -> None:
    for partition in partitions:
        instance.report_runless_asset_event(
            dg.AssetMaterialization(target_key("analytics", name), partition=partition)
        )


class Night:
    """Evaluate the automation conditions the way the sensor does, tick after tick."""

    def __init__(self, definitions, instance, start: datetime) -> None:
        self.definitions, self.instance, self.cursor = definitions, instance, None
        self.evaluate(start)

    def evaluate(self, when: datetime) -> dict[str, set]:
        result = dg.evaluate_automation_conditions(
            defs=self.definitions, instance=self.instance, cursor=self.cursor, evaluation_time=when
        )
        self.cursor = result.cursor
        return requested(result)


def test_facts_wait_for_the_nights_dimensions_and_aggregates_for_their_facts(definitions):
    with dg.instance_for_test() as instance:
        night = Night(definitions, instance, NIGHT + timedelta(minutes=50))
        assert night.evaluate(NIGHT + timedelta(minutes=55)) == {}

        at_one = night.evaluate(NIGHT + timedelta(hours=1, seconds=30))
        assert set(at_one) == set(DIMENSIONS)  # only the dimensions start at 01:00

        for name in DIMENSIONS:
            if name != "dim_customer":  # still running
                materialised(instance, name)
        waiting = night.evaluate(NIGHT + timedelta(hours=1, minutes=2))
        assert set(waiting) == set(FACTS) - CUSTOMER_FACTS
        assert all(parts == set(LAST_WEEK) for parts in waiting.values())

        materialised(instance, "dim_customer")
        rest = night.evaluate(NIGHT + timedelta(hours=1, minutes=3))
        assert set(rest) == CUSTOMER_FACTS  # nothing is requested twice

        materialised(instance, "fact_sales_order_line", LAST_WEEK)
        rfm = night.evaluate(NIGHT + timedelta(hours=1, minutes=5))
        assert rfm == {"agg_customer_rfm": set(LAST_WEEK)}  # its facts and dims are done

        for name in FACTS:
            if name != "fact_sales_order_line":
                materialised(instance, name, LAST_WEEK)
        monthly = night.evaluate(NIGHT + timedelta(hours=1, minutes=8))
        assert monthly == {"agg_monthly_factory_kpis": {"2026-11-01"}}  # month to date

        assert night.evaluate(NIGHT + timedelta(hours=3)) == {}

        # The next night starts over with the dimensions, and only them.
        next_night = night.evaluate(NIGHT + timedelta(days=1, hours=1, seconds=30))
        assert set(next_night) == set(DIMENSIONS)


def test_a_fact_never_starts_in_the_same_tick_as_its_dimensions(definitions):
    """The sensor launches dimensions (unpartitioned) and facts (partitioned) as separate
    runs; a fact requested alongside its dimension could read it half-merged."""
    with dg.instance_for_test() as instance:
        night = Night(definitions, instance, NIGHT + timedelta(minutes=50))
        for minute in (0, 1, 5, 30):
            requested_now = night.evaluate(NIGHT + timedelta(hours=1, minutes=minute, seconds=30))
            assert not set(requested_now) & set(FACTS)


@pytest.mark.parametrize(
    ("night", "months"),
    [
        (datetime(2026, 12, 1, tzinfo=UTC), {"2026-11-01"}),  # November closes
        (
            datetime(2026, 12, 3, tzinfo=UTC),
            {"2026-11-01", "2026-12-01"},
        ),  # restated days span both
        (datetime(2026, 12, 20, tzinfo=UTC), {"2026-12-01"}),
    ],
)
def test_the_monthly_aggregate_follows_the_months_of_the_restated_days(definitions, night, months):
    days = [(night - timedelta(days=n)).date().isoformat() for n in range(7, 0, -1)]
    with dg.instance_for_test() as instance:
        tonight = Night(definitions, instance, night + timedelta(minutes=50))
        tonight.evaluate(night + timedelta(hours=1, seconds=30))
        for name in DIMENSIONS:
            materialised(instance, name)
        facts = tonight.evaluate(night + timedelta(hours=1, minutes=2))
        assert facts["fact_gl_journal_line"] == set(days)
        for name in FACTS:
            materialised(instance, name, days)
        monthly = tonight.evaluate(night + timedelta(hours=1, minutes=10))
        assert monthly["agg_monthly_factory_kpis"] == months


def test_every_analytics_table_carries_the_nightly_freshness_policy(definitions):
    specs = [
        s for s in definitions.resolve_all_asset_specs() if s.group_name == "genims_analytics_db"
    ]
    assert len(specs) == 25
    for spec in specs:
        policy = spec.freshness_policy
        assert policy.fail_window.to_timedelta() == timedelta(hours=26), spec.key
        assert policy.warn_window.to_timedelta() == timedelta(hours=25), spec.key


@pytest.mark.integration
def test_the_platform_definitions_run_the_analytics_policy():
    defs = harness.defs()
    sensors = {s.name: s for s in defs.sensors}
    assert sensors["analytics_automation"].default_status == dg.DefaultSensorStatus.RUNNING
    specs = {s.key: s for s in defs.resolve_all_asset_specs()}
    for name in support.SPECS:
        spec = specs[target_key("analytics", name)]
        assert spec.automation_condition is not None
        assert spec.freshness_policy.fail_window.to_timedelta() == timedelta(hours=26)
    fact = specs[target_key("analytics", "fact_sales_order_line")]
    assert {target_key("analytics", "dim_customer"), target_key("analytics", "dim_date")} <= {
        d.asset_key for d in fact.deps
    }
