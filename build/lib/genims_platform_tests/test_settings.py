"""Settings read the seeds' variable names, at call time, with clear errors."""

from __future__ import annotations

import pytest

from genims_platform.catalog import SOURCE_DATABASES, UnknownDatabaseError
from genims_platform.settings import SettingsError, load_settings


def test_defaults_describe_the_local_stack():
    s = load_settings({})
    assert s.pg_primary.host == "127.0.0.1" and s.pg_primary.port == 5432
    assert s.pg_replica is None and s.read_server() is s.pg_primary
    assert s.source_db("manufacturing") == "genims_manufacturing_db"
    assert s.target("audit").database == "genims_audit_db"
    assert s.etl.batch_size == 1000 and s.backup.audit_retention_days == 2555
    assert s.azure_connection_string == "UseDevelopmentStorage=true"


def test_physical_name_override_and_replica():
    s = load_settings(
        {
            "PG_DATABASE_MANUFACTURING": "genims_mes_db",
            "PG_REPLICA_HOST": "replica.internal",
            "PG_REPLICA_USER": "genims_readonly",
            "MYSQL_ANALYTICS_DB": "warehouse",
        }
    )
    assert s.source_db("manufacturing") == "genims_mes_db"
    assert s.read_server().host == "replica.internal"
    assert s.read_server().user == "genims_readonly"
    assert s.read_server().port == 5432  # inherited from the primary
    assert s.target("analytics").database == "warehouse"


def test_seed_style_values_with_trailing_comments():
    s = load_settings(
        {"ETL_REPORTING_INTERVAL": "3600          # 1 hour", "BACKUP_ENABLED": "false"}
    )
    assert s.etl.reporting_interval_s == 3600
    assert s.backup.enabled is False


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PG_MASTER_PORT": "fivefourthreetwo"}, "PG_MASTER_PORT"),
        ({"ETL_BATCH_SIZE": "0"}, "ETL_BATCH_SIZE"),
        ({"BACKUP_DAILY_TIME": "2am"}, "BACKUP_DAILY_TIME"),
        ({"PG_DATABASE_ERP": "erp; DROP DATABASE x"}, "PG_DATABASE_ERP"),
        ({"MYSQL_AUDIT_DB": "audit`db"}, "MYSQL_AUDIT_DB"),
    ],
)
def test_bad_values_name_the_variable(env, variable):
    with pytest.raises(SettingsError, match=variable):
        load_settings(env)


def test_two_logical_databases_cannot_share_a_name():
    with pytest.raises(SettingsError, match="share the physical name"):
        load_settings({"PG_DATABASE_ERP": "genims_crm_db"})


def test_unknown_logical_name():
    with pytest.raises(UnknownDatabaseError, match="unknown source database 'planning'"):
        load_settings({}).source_db("planning")


def test_passwords_stay_out_of_repr():
    s = load_settings({"PG_MASTER_PASSWORD": "hunter2-secret", "MYSQL_AUDIT_PASSWORD": "s3cr3t!"})
    assert "hunter2-secret" not in repr(s)
    assert "s3cr3t!" not in repr(s)
    assert len(s.source_names) == len(SOURCE_DATABASES)
