"""The dates_plausible checks of the source tables, on a real PostgreSQL: rows whose dates no
window would read are named with their key and columns; rows changed before the look-back are
left to earlier runs; the checks are scheduled through the source observation sensor."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import dagster as dg
import psycopg
import pytest

from genims_platform.audit.ingest import source_resource
from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib import pg
from genims_platform.lib.keys import pg_resource_key, source_key
from genims_platform.settings import load_settings
from genims_platform.sources import checks as source_checks
from genims_platform.sources.assets import contract_columns
from genims_platform.sources.contract import apply_contract

pytestmark = pytest.mark.integration

COLUMNS = (
    "work_order_id, work_order_number, product_id, line_id, factory_id, quantity_planned, "
    "status, planned_start, planned_end, actual_start, updated_at"
)


def _order(order_id, planned_start, planned_end, actual_start, updated_at):
    return (
        order_id,
        f"WO-{order_id}",
        1,
        1,
        1,
        10,
        "PLANNED",
        planned_start,
        planned_end,
        actual_start,
        updated_at,
    )


def test_implausible_dates_are_named_by_key_and_column(scratch_pg):
    settings = load_settings({**os.environ, "PG_DATABASE_MANUFACTURING": scratch_pg})
    apply_contract(settings, "manufacturing")
    now = datetime.now(UTC)
    rows = [
        _order(1, "2025-06-01 08:00+00", "2025-06-01 16:00+00", None, now),  # fine
        _order(2, "9999-12-31 00:00+00", "9999-12-31 08:00+00", None, now),  # end of time
        _order(3, "2025-06-02 08:00+00", "2025-06-02 16:00+00", "1900-01-01 00:00+00", now),
        _order(4, "2025-06-03 08:00+00", "10000-01-01 00:00+00", None, now),  # beyond Python
        # Changed ten days ago: an earlier run's business, outside the 48 h look-back.
        _order(5, "1900-01-01 00:00+00", "2025-06-04 16:00+00", None, now - timedelta(days=10)),
    ]
    with psycopg.connect(**pg.conninfo(settings.pg_primary, scratch_pg)) as conn:
        with conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO work_orders ({COLUMNS}) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        conn.commit()

    checks_def = source_checks.build_source_checks({"manufacturing": {"work_orders"}})[0]
    key = source_key("manufacturing", "work_orders")
    result = _run(checks_def, settings, key)
    (evaluation,) = result.get_asset_check_evaluations()

    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["failed_rows"].value == 3
    named = {r["work_order_id"]: r for r in evaluation.metadata["offending_rows_json"].value}
    assert set(named) == {2, 3, 4}
    assert named[2]["columns"] == "planned_start, planned_end"
    assert named[2]["planned_start"].startswith("9999-12-31")
    assert named[3]["columns"] == "actual_start"
    assert named[3]["actual_start"].startswith("1900-01-01")
    assert named[4]["columns"] == "planned_end"
    assert named[4]["planned_end"].startswith("10000-01-01")

    # Once the rows are put right, the check passes.
    with psycopg.connect(**pg.conninfo(settings.pg_primary, scratch_pg)) as conn:
        conn.execute("DELETE FROM work_orders WHERE work_order_id IN (2, 3, 4)")
    (evaluation,) = _run(checks_def, settings, key).get_asset_check_evaluations()
    assert evaluation.passed
    assert evaluation.metadata["failed_rows"].value == 0


def _run(checks_def, settings, key: dg.AssetKey) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [checks_def],
        resources={pg_resource_key("manufacturing"): source_resource(settings, "manufacturing")},
        selection=dg.AssetSelection.checks(dg.AssetCheckKey(key, source_checks.CHECK)),
        raise_on_error=False,
    )


def test_every_source_table_with_dates_has_an_hourly_check_the_sensor_runs():
    from genims_platform.definitions import defs

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    observed = [k for k in graph.observable_asset_keys if k.path[0] in SOURCE_DATABASES.values()]
    # The audit outboxes are observed too; the contract's tables are what the checks cover.
    tables = [k for k in observed if k.path[1] in contract_columns(_logical(k))]
    with_dates = {k for k in tables if source_checks.date_columns(_logical(k), k.path[1])}
    checked = {
        k.asset_key
        for k in graph.asset_check_keys
        if k.name == source_checks.CHECK and k.asset_key in set(observed)
    }
    assert with_dates and checked == with_dates
    sensor = definitions.get_sensor_def("source_observation_automation")
    covered = sensor.asset_selection.resolve_checks(graph)
    assert {dg.AssetCheckKey(k, source_checks.CHECK) for k in with_dates} <= covered
    for key in with_dates:
        spec = graph.get_check_spec(dg.AssetCheckKey(key, source_checks.CHECK))
        assert spec.automation_condition is not None


def _logical(key: dg.AssetKey) -> str:
    return next(name for name, physical in SOURCE_DATABASES.items() if physical == key.path[0])
