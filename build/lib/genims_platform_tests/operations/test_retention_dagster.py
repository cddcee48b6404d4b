"""The retention asset materialises through Dagster with the repo's resources (dry run and real
run), its check reports failures, and the daily schedule honours RETENTION_DAILY_TIME."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import dagster as dg
import pytest

from genims_platform.audit.events import SECURITY
from genims_platform.lib.blob import AzureBlobStore
from genims_platform.operations.retention import (
    RetentionConfig,
    RetentionOptions,
    _retention_asset,
    retention_definitions,
)
from genims_platform_tests.operations.conftest import rt_append_events


def _old(days: int) -> datetime:
    day = (datetime.now(UTC) - timedelta(days=2555 + 400 + days)).date()
    return datetime.combine(day, time(12))


def _materialize(owner, retention_db, reporting_db, options, config: RetentionConfig):
    asset = _retention_asset(owner.database)
    return dg.materialize(
        [asset],
        resources={
            "mysql_reporting": reporting_db,
            "mysql_audit_retention": retention_db,
            "retention_options": options,
        },
        run_config=dg.RunConfig(ops={asset.op.name: config}),
        raise_on_error=False,
    )


@pytest.mark.integration
def test_retention_asset_dry_run_then_real_run(
    rt_owner, rt_retention_db, rt_reporting_db, rt_settings
):
    stream = f"{SECURITY}/rtdg{uuid.uuid4().hex[:8]}"
    rt_append_events(rt_owner, stream, [_old(3), _old(2), _old(1)])
    options = RetentionOptions(
        connection_string=rt_settings.azure_connection_string,
        archive_container=f"gt-rt-dg-archive-{uuid.uuid4().hex[:6]}",
        backup_container=f"gt-rt-dg-backups-{uuid.uuid4().hex[:6]}",
        chunk_rows=2,
    )
    count = f"SELECT COUNT(*) FROM {SECURITY} WHERE stream_id = %s"

    dry = _materialize(
        rt_owner, rt_retention_db, rt_reporting_db, options,
        RetentionConfig(dry_run=True, targets=["audit"], tables=[SECURITY]),
    )  # fmt: skip
    assert dry.success
    (event,) = dry.asset_materializations_for_node(_retention_asset(rt_owner.database).op.name)
    assert event.metadata["dry_run"].value is True
    assert event.metadata["rows_dry_run"].value >= 3
    assert event.metadata["rows_purged"].value == 0
    assert rt_owner.scalar(count, (stream,)) == 3
    (check,) = dry.get_asset_check_evaluations()
    assert check.passed

    real = _materialize(
        rt_owner, rt_retention_db, rt_reporting_db, options,
        RetentionConfig(targets=["audit"], tables=[SECURITY]),
    )  # fmt: skip
    assert real.success
    (event,) = real.asset_materializations_for_node(_retention_asset(rt_owner.database).op.name)
    assert event.metadata["rows_dry_run"].value == 0
    assert event.metadata["rows_purged"].value >= 3
    assert rt_owner.scalar(count, (stream,)) == 0
    recorded = rt_owner.query(
        "SELECT deletion_status, SUM(rows_affected) FROM data_retention_schedule "
        "WHERE run_id = %s GROUP BY deletion_status ORDER BY deletion_status",
        (real.run_id,),
    )
    statuses = dict(recorded)
    assert statuses["PURGED"] == statuses["PLANNED"] == statuses["ARCHIVED"]
    assert statuses["PURGED"] == event.metadata["rows_purged"].value
    (check,) = real.get_asset_check_evaluations()
    assert check.passed
    archives = AzureBlobStore(options.connection_string).list(options.archive_container)
    assert archives and all(b.metadata["table"] == SECURITY for b in archives)


@pytest.mark.integration
def test_retention_asset_fails_clearly_on_a_bad_request(rt_owner, rt_retention_db, rt_reporting_db):
    result = _materialize(
        rt_owner, rt_retention_db, rt_reporting_db, RetentionOptions(),
        RetentionConfig(targets=["audit"], tables=["no_such_table"]),
    )  # fmt: skip
    assert not result.success
    failure = result.failure_data_for_node(_retention_asset(rt_owner.database).op.name)
    assert "unknown table(s) no_such_table" in failure.user_failure_data.description


@pytest.mark.integration
def test_retention_check_fails_when_an_action_fails(rt_settings, rt_owner, rt_reporting_db):
    from genims_platform.audit.ingest import audit_database

    stream = f"{SECURITY}/rtdgf{uuid.uuid4().hex[:8]}"
    rt_append_events(rt_owner, stream, [_old(1)])
    ingest = audit_database(rt_settings, role="ingest")
    result = _materialize(
        rt_owner, ingest, rt_reporting_db,
        RetentionOptions(archive_container=f"gt-rt-dgf-{uuid.uuid4().hex[:6]}"),
        RetentionConfig(targets=["audit"], tables=[SECURITY]),
    )  # fmt: skip
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert "DELETE command denied" in check.description
    assert rt_owner.scalar(f"SELECT COUNT(*) FROM {SECURITY} WHERE stream_id = %s", (stream,)) == 1


def test_the_schedule_runs_daily_at_the_configured_utc_time(monkeypatch):
    monkeypatch.delenv("RETENTION_DAILY_TIME", raising=False)
    (schedule,) = retention_definitions().schedules
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 2 * * *", "UTC")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    monkeypatch.setenv("RETENTION_DAILY_TIME", "04:15")
    definitions = retention_definitions()
    (schedule,) = definitions.schedules
    assert schedule.cron_schedule == "15 4 * * *"
    assert schedule.job_name == "retention_job"
    keys = {a.key.to_user_string() for a in definitions.assets}
    assert keys == {"genims_audit_db/data_retention_schedule", "genims_audit_db/legal_hold_records"}
    assert {j.name for j in definitions.jobs} == {"retention_job", "legal_hold_job"}
