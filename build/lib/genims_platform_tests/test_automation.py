"""Automation as declared: source observations drive reporting refreshes, at most hourly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from genims_platform.lib.keys import target_key
from genims_platform_tests import harness

TABLE = target_key("reporting", "machine_performance_daily")


@pytest.fixture(scope="module")
def definitions():
    return harness.defs()


def _observe(instance, definitions, version: str) -> None:
    """Record the observation an observe run would record, for every dependency of TABLE."""
    for dep in definitions.resolve_asset_graph().get(TABLE).parent_keys:
        instance.report_runless_asset_event(
            dg.AssetObservation(asset_key=dep, tags={"dagster/data_version": version})
        )


def _requested(result) -> set[str]:
    return set(result.get_requested_partitions(TABLE))


def test_a_changed_source_requests_one_run_per_hour_and_no_change_requests_nothing(definitions):
    day = datetime(2026, 11, 22, tzinfo=UTC)
    at = lambda h, m=0: day + timedelta(hours=h, minutes=m)  # noqa: E731
    with dg.instance_for_test() as instance:
        result = dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, evaluation_time=at(9, 40)
        )
        _observe(instance, definitions, "v1")
        result = dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, cursor=result.cursor, evaluation_time=at(9, 51)
        )
        assert _requested(result) == set()  # changed, but this hour's refresh waits for HH:00

        result = dg.evaluate_automation_conditions(
            defs=definitions,
            instance=instance,
            cursor=result.cursor,
            evaluation_time=at(
                10,
                0,
            )
            + timedelta(seconds=30),
        )
        assert _requested(result) == {"2026-11-22"}  # exactly the open partition, once
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset_key=TABLE, partition="2026-11-22")
        )

        for minute, version in ((10, "v2"), (20, "v3"), (45, "v3")):
            _observe(instance, definitions, version)
            result = dg.evaluate_automation_conditions(
                defs=definitions,
                instance=instance,
                cursor=result.cursor,
                evaluation_time=at(10, minute + 1),
            )
            assert _requested(result) == set(), f"10:{minute + 1:02d}"

        result = dg.evaluate_automation_conditions(
            defs=definitions,
            instance=instance,
            cursor=result.cursor,
            evaluation_time=at(11, 0) + timedelta(seconds=30),
        )
        assert _requested(result) == {"2026-11-22"}  # both changes of the last hour, one run
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset_key=TABLE, partition="2026-11-22")
        )

        # No source change during the next hour: nothing is requested at 12:00.
        _observe(instance, definitions, "v3")
        result = dg.evaluate_automation_conditions(
            defs=definitions,
            instance=instance,
            cursor=result.cursor,
            evaluation_time=at(12, 0) + timedelta(seconds=30),
        )
        assert _requested(result) == set()


def test_the_last_seven_days_are_restated_once_after_midnight(definitions):
    with dg.instance_for_test() as instance:
        night = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
        _observe(instance, definitions, "v1")
        result = dg.evaluate_automation_conditions(
            defs=definitions, instance=instance, evaluation_time=night
        )
        past: list[str] = []
        for minutes in (40, 50, 60, 80):
            result = dg.evaluate_automation_conditions(
                defs=definitions,
                instance=instance,
                cursor=result.cursor,
                evaluation_time=night + timedelta(minutes=minutes),
            )
            past.extend(p for p in _requested(result) if p < "2026-11-22")
        assert sorted(past) == [f"2026-11-{d}" for d in range(15, 22)]  # each once, at 00:20


def test_reporting_assets_carry_the_one_hour_freshness_policy(definitions):
    for spec in definitions.resolve_all_asset_specs():
        if spec.group_name == "genims_reporting_db":
            policy = spec.freshness_policy
            assert policy is not None, spec.key
            assert policy.fail_window.to_timedelta() == timedelta(hours=1)
            assert policy.warn_window.to_timedelta() < timedelta(hours=1)


def test_automation_sensors_are_running_by_default(definitions):
    sensors = {s.name: s for s in definitions.sensors}
    for name in ("source_observation_automation", "reporting_automation"):
        assert sensors[name].default_status == dg.DefaultSensorStatus.RUNNING
