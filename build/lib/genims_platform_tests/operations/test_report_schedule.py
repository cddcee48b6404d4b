"""The report's definitions, schedule, settings and blob names (no servers needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import pytest

from genims_platform.operations.report import (
    BLOB_RESOURCE,
    JOB,
    READER_RESOURCE,
    REPORT_KEY,
    SCHEDULE,
    blob_name,
    report_resources,
    report_settings,
    revision_of,
)
from genims_platform.settings import SettingsError


def test_definitions_schedule_the_previous_day(monkeypatch):
    from genims_platform.definitions import defs as code_location

    monkeypatch.setenv("COMPLIANCE_REPORT_TIME", "04:30")
    # The whole code location: the report's resources merge with the shared ones.
    defs = code_location()
    asset = defs.resolve_assets_def(REPORT_KEY)
    assert asset.partitions_def.get_first_partition_key() == "2025-01-01"
    spec = next(iter(asset.specs))
    assert spec.group_name == "operations"
    schedule = defs.resolve_schedule_def(SCHEDULE)
    assert schedule.cron_schedule == "30 4 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == JOB
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 3, 1, 4, 30, tzinfo=UTC),
        repository_def=defs.get_repository_def(),
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-02-28"
    assert request.run_key == "compliance-report-2026-02-28"


def test_reader_uses_the_compliance_account_only_when_its_password_is_set():
    owner = report_resources({"MYSQL_AUDIT_USER": "admin", "MYSQL_AUDIT_PASSWORD": "pw"})
    assert isinstance(owner[READER_RESOURCE].user, dg.EnvVar)
    assert owner[READER_RESOURCE].user.env_var_name == "MYSQL_AUDIT_USER"
    compliance = report_resources(
        {"MYSQL_AUDIT_USER": "admin", "MYSQL_AUDIT_COMPLIANCE_PASSWORD": "secret-value"}
    )
    reader = compliance[READER_RESOURCE]
    assert reader.user == "genims_audit_compliance"
    assert reader.password.env_var_name == "MYSQL_AUDIT_COMPLIANCE_PASSWORD"
    assert "secret-value" not in repr(compliance)
    assert compliance[BLOB_RESOURCE].container == "genims-compliance-reports"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("COMPLIANCE_REPORT_TIME", "3am", "COMPLIANCE_REPORT_TIME must be HH:MM"),
        ("COMPLIANCE_REPORT_TIME", "25:00", "COMPLIANCE_REPORT_TIME must be HH:MM"),
        ("COMPLIANCE_REPORT_CONTAINER", "Reports_2026", "COMPLIANCE_REPORT_CONTAINER must be"),
        ("COMPLIANCE_REPORT_RETENTION_DAYS", "0", "COMPLIANCE_REPORT_RETENTION_DAYS must be"),
        ("COMPLIANCE_REPORT_RETENTION_DAYS", "seven", "COMPLIANCE_REPORT_RETENTION_DAYS must be"),
    ],
)
def test_bad_settings_name_the_variable(variable, value, message):
    with pytest.raises(SettingsError, match=message):
        report_settings({variable: value})


def test_settings_defaults_and_overrides():
    default = report_settings({})
    assert (default.daily_time.hour, default.daily_time.minute) == (3, 0)
    assert (default.container, default.retention_days) == ("genims-compliance-reports", 2555)
    custom = report_settings(
        {"COMPLIANCE_REPORT_TIME": "05:15", "COMPLIANCE_REPORT_RETENTION_DAYS": "3650"}
    )
    assert (custom.daily_time.hour, custom.daily_time.minute, custom.retention_days) == (
        5,
        15,
        3650,
    )


def test_blob_names_and_revisions():
    day = date(2026, 3, 14)
    assert blob_name(day) == "2026/03/compliance-2026-03-14.pdf"
    assert blob_name(day, 3) == "2026/03/compliance-2026-03-14.r3.pdf"
    assert revision_of(blob_name(day), day) == 1
    assert revision_of(blob_name(day, 12), day) == 12
    assert revision_of("2026/03/compliance-2026-03-14.tmp.pdf", day) is None
    assert revision_of(blob_name(date(2026, 3, 15)), day) is None
