"""All 35 reporting tables on a simulated plant: every blocking data test passes on realistic
data, a rerun gives identical rows, and a 3-day ranged run equals three single-day runs."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
import pandas as pd
import pytest

from genims_platform.lib import mysql
from genims_platform.lib.environment import build_resources
from genims_platform.lib.keys import target_key
from genims_platform.reporting.tables import REPORTING_TABLES
from genims_platform.simulator import seed
from genims_platform_tests import harness

pytestmark = [pytest.mark.integration, pytest.mark.slow]

END = date(2025, 3, 31)
DAYS = [date(2025, 3, 20), date(2025, 3, 21), date(2025, 3, 22)]
MONTHS = [date(2025, 2, 1), date(2025, 3, 1)]
DAILY = [s for s in REPORTING_TABLES if s.partitioning == "daily"]
MONTHLY = [s for s in REPORTING_TABLES if s.partitioning == "monthly"]


@pytest.fixture(scope="module")
def plant(contracts):
    seed(contracts, scale=0.01, days=75, seed=11, end_date=END, replace=True, progress=False)
    with mysql.connect(contracts.target("reporting"), autocommit=True) as conn:
        with conn.cursor() as cur:
            for spec in REPORTING_TABLES:
                cur.execute(f"TRUNCATE TABLE {mysql.quote_ident(spec.name)}")
    return contracts


@pytest.fixture(scope="module")
def definitions():
    return harness.defs()


def _run(definitions, specs, instance, *, key=None, start=None, end=None):
    assets = [definitions.get_assets_def(target_key(s.target, s.name)) for s in specs]
    tags = {}
    if start is not None:
        tags = {
            "dagster/asset_partition_range_start": start,
            "dagster/asset_partition_range_end": end,
        }
    result = dg.materialize(
        assets,
        instance=instance,
        resources=build_resources(),
        partition_key=key,
        tags=tags,
        raise_on_error=False,
    )
    failed = [
        (c.asset_key.path[-1], c.check_name, c.description)
        for c in result.get_asset_check_evaluations()
        if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert result.success and not failed, failed
    return result


def _snapshot(settings, specs, first: date, last: date) -> dict[str, pd.DataFrame]:
    out = {}
    for spec in specs:
        column = spec.date_column
        frame = harness.published(
            settings, "reporting", spec.name, f"`{column}` BETWEEN %s AND %s", (first, last)
        )
        out[spec.name] = frame.sort_values(list(spec.schema.grain)).reset_index(drop=True)
    return out


def _assert_same(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    for name, frame in left.items():
        pd.testing.assert_frame_equal(frame, right[name], check_dtype=False, obj=name)


def test_every_daily_table_is_idempotent_and_ranged_equals_single_days(plant, definitions):
    with dg.instance_for_test() as instance:
        _run(definitions, DAILY, instance, start=DAYS[0].isoformat(), end=DAYS[-1].isoformat())
        ranged = _snapshot(plant, DAILY, DAYS[0], DAYS[-1])
        assert sum(len(f) for f in ranged.values()) > 0
        empty = [name for name, frame in ranged.items() if frame.empty]
        assert len(empty) <= 3, f"a simulated plant leaves few tables empty: {empty}"

        for day in DAYS:
            _run(definitions, DAILY, instance, key=day.isoformat())
        _assert_same(ranged, _snapshot(plant, DAILY, DAYS[0], DAYS[-1]))

        _run(definitions, DAILY, instance, start=DAYS[0].isoformat(), end=DAYS[-1].isoformat())
        _assert_same(ranged, _snapshot(plant, DAILY, DAYS[0], DAYS[-1]))

        # Neighbouring days were never touched by these windows.
        outside = _snapshot(plant, DAILY, DAYS[-1] + timedelta(days=1), END)
        assert all(frame.empty for frame in outside.values())


def test_every_monthly_table_is_idempotent_and_ranged_equals_single_months(plant, definitions):
    with dg.instance_for_test() as instance:
        _run(
            definitions, MONTHLY, instance, start=MONTHS[0].isoformat(), end=MONTHS[-1].isoformat()
        )
        ranged = _snapshot(plant, MONTHLY, MONTHS[0], MONTHS[-1])
        assert all(not frame.empty for frame in ranged.values())
        for month in MONTHS:
            _run(definitions, MONTHLY, instance, key=month.isoformat())
        _assert_same(ranged, _snapshot(plant, MONTHLY, MONTHS[0], MONTHS[-1]))
