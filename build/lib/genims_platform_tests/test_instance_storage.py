"""The documented alternative: Dagster instance storage in MySQL through dagster-mysql."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest
import yaml

from genims_platform.demo import PROJECT_ROOT
from genims_platform.lib import mysql
from genims_platform.lib.keys import target_key
from genims_platform_tests import harness

pytestmark = pytest.mark.integration


@pytest.fixture
def mysql_instance_env(contracts, monkeypatch):
    target = contracts.target("reporting")
    name = f"{target.database}_dagster"
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(name)}")
        cur.execute(f"CREATE DATABASE {mysql.quote_ident(name)} CHARACTER SET utf8mb4")
    for key, value in {
        "DAGSTER_MYSQL_HOST": target.host,
        "DAGSTER_MYSQL_PORT": str(target.port),
        "DAGSTER_MYSQL_USER": target.user,
        "DAGSTER_MYSQL_PASSWORD": target.password,
        "DAGSTER_MYSQL_DB": name,
    }.items():
        monkeypatch.setenv(key, value)
    yield contracts
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {mysql.quote_ident(name)}")


def test_materialisation_runs_and_checks_are_stored_in_mysql(mysql_instance_env):
    overrides = yaml.safe_load((PROJECT_ROOT / "deploy" / "dagster.mysql.yaml").read_text())
    overrides.pop("run_coordinator")  # in-process execution in the test
    key = target_key("reporting", "machine_performance_daily")
    with dg.instance_for_test(overrides=overrides) as instance:
        assert type(instance.run_storage).__name__ == "MySQLRunStorage"
        result = harness.materialize(
            harness.defs(),
            "reporting",
            "machine_performance_daily",
            day=date(2025, 1, 20),
            instance=instance,
        )
        assert result.success
        record = instance.get_latest_materialization_event(key)
        assert record is not None and record.asset_materialization.partition == "2025-01-20"
        assert instance.get_run_by_id(result.run_id).is_success
        checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(key, "grain_unique")]
        )
        assert checks[dg.AssetCheckKey(key, "grain_unique")].status.value == "SUCCEEDED"
