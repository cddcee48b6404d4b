"""The Dagster side: the outbox sensor's run requests, the ingest and integrity assets with their
checks and health metadata, and the self-audit of runs, materialisations, failures and checks."""

from __future__ import annotations

import json
import os
import time
import uuid

import dagster as dg
import pytest

from genims_platform.audit import definitions as audit_defs
from genims_platform.audit.selfaudit import record_events
from genims_platform.catalog import SOURCE_DATABASES
from genims_platform.lib.environment import build_resources
from genims_platform.lib.keys import target_key
from genims_platform_tests.audit.conftest import drain, insert_setting

pytestmark = pytest.mark.integration

SECRET = "hunter2-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def resources(audit_settings):
    merged = {**build_resources(os.environ), **audit_defs.audit_resources(os.environ)}
    merged[audit_defs.BLOB_RESOURCE] = audit_defs.AuditBlob(
        connection_string=audit_settings.azure_connection_string,
        container=f"gt-au-pipeline-{uuid.uuid4().hex[:8]}",
    )
    return merged


@pytest.fixture(scope="module")
def pieces(audit_settings):
    return audit_defs.audit_definitions()


@pytest.fixture
def pg_instance(audit_settings):
    """A Dagster instance on PostgreSQL storage, as dagster.yaml configures it."""
    from genims_platform.lib import pg

    server = audit_settings.pg_primary
    name = f"{audit_settings.dagster_db}_selfaudit"
    pg.drop_database(server, name)
    pg.create_database(server, name)
    overrides = {
        "storage": {
            "postgres": {
                "postgres_db": {
                    "username": server.user,
                    "password": server.password,
                    "hostname": server.host,
                    "db_name": name,
                    "port": server.port,
                    "scheme": "postgresql+psycopg2",
                }
            }
        }
    }
    with dg.instance_for_test(overrides=overrides) as instance:
        yield instance
    pg.drop_database(server, name)


def _drained(settings, ingest_db) -> None:
    drain(settings, ingest_db, list(SOURCE_DATABASES))


def test_sensor_requests_a_run_for_pending_events_and_retries_under_a_new_key(
    audit_settings, ingest_db, pieces, resources
):
    sensor = next(s for s in pieces.sensors if s.name == "audit_outbox_sensor")
    needed = {k: resources[k] for k in sensor.required_resource_keys}
    with dg.instance_for_test() as instance:
        _drained(audit_settings, ingest_db)
        insert_setting(audit_settings, "crm", f"sensor-{uuid.uuid4().hex[:8]}")
        recent = json.dumps({"requested_at": time.time()})  # no heartbeat due
        deadline = time.monotonic() + 60
        while True:  # the shared cluster's horizon may lag behind the insert for a moment
            first = sensor.evaluate_tick(
                dg.build_sensor_context(instance=instance, resources=needed, cursor=recent)
            )
            if first.run_requests or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert len(first.run_requests) == 1
        request = first.run_requests[0]
        assert request.run_key.startswith("audit-ingest:")
        sources = request.run_config["ops"]["audit_outbox_ingest"]["config"]["sources"]
        assert "crm" in sources
        # No progress since (the run failed or was killed before committing): a new key.
        again = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, resources=needed, cursor=first.cursor)
        )
        assert again.run_requests[0].run_key == request.run_key + ":retry1"
        _drained(audit_settings, ingest_db)
        idle = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, resources=needed, cursor=again.cursor)
        )
        assert not idle.run_requests
        assert "no committed events pending" in idle.skip_message


def test_ingest_and_integrity_assets_with_self_audit(
    audit_settings, owner, pieces, resources, pg_instance
):
    key = target_key("audit", "system_audit_log")
    ingest = pieces.get_assets_def(key)
    integrity = pieces.get_assets_def(target_key("audit", "audit_trail_integrity"))
    marker = f"pipeline-{uuid.uuid4().hex[:8]}"
    insert_setting(audit_settings, "service", marker)

    @dg.asset(check_specs=[dg.AssetCheckSpec("always_fails", asset="broken_partner")])
    def broken_partner():
        raise RuntimeError(f"partner API refused the token {SECRET}")

    instance = pg_instance
    if True:
        owner.query("DELETE FROM audit_ingest_cursor WHERE feed = 'dagster'")
        result = dg.materialize([ingest], instance=instance, resources=resources)
        assert result.success
        metadata = result.asset_materializations_for_node("audit_outbox_ingest")[0].metadata
        assert {
            "events_ingested",
            "backlog_total",
            "oldest_pending_age_seconds",
            "backlog_by_source",
        } <= set(metadata)
        checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
        assert checks["ingest_health"].passed, checks["ingest_health"].description
        assert owner.query(
            "SELECT 1 FROM system_audit_log WHERE source_db = 'service' AND entity_id = %s",
            (marker,),
        )
        verified = dg.materialize([integrity], instance=instance, resources=resources)
        assert verified.success
        chain = {e.check_name: e for e in verified.get_asset_check_evaluations()}
        assert chain["chain_intact"].passed, chain["chain_intact"].description
        failed = dg.materialize([broken_partner], instance=instance, raise_on_error=False)
        assert not failed.success

        recorded = record_events(
            instance,
            audit_defs.AuditDatabase(**_ingest_fields(resources)).db(),
            secrets=[SECRET],
            settle_s=0,
        )
        assert recorded.rows
        run_id = result.run_id
    jobs = dict(
        owner.query(
            "SELECT run_id, status FROM batch_job_execution_log WHERE run_id IN (%s, %s, %s)",
            (run_id, verified.run_id, failed.run_id),
        )
    )
    assert jobs == {run_id: "COMPLETED", verified.run_id: "COMPLETED", failed.run_id: "FAILED"}
    integrations = owner.query(
        "SELECT asset_key, record_count FROM integration_audit_log WHERE run_id = %s", (run_id,)
    )
    assert {a for a, _ in integrations} >= {"genims_audit_db/system_audit_log"}
    exceptions = owner.query(
        "SELECT exception_type, message, severity FROM exception_log WHERE session_id = %s",
        (failed.run_id,),
    )
    assert exceptions and all(SECRET not in (m or "") for _, m, _ in exceptions)
    assert any("partner API refused the token ***" in (m or "") for _, m, _ in exceptions)
    validations = owner.query(
        "SELECT rule_name, validation_result FROM validation_rule_execution "
        "WHERE run_id IN (%s, %s)",
        (run_id, verified.run_id),
    )
    assert ("ingest_health", "PASSED") in validations
    assert ("chain_intact", "PASSED") in validations


def _ingest_fields(resources) -> dict:
    resource = resources[audit_defs.INGEST_RESOURCE]
    fields = {}
    for name in audit_defs.AuditDatabase.model_fields:
        value = getattr(resource, name)
        fields[name] = value.get_value() if isinstance(value, dg.EnvVar) else value
    return fields
