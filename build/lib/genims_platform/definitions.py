"""The platform's only entry point (loaded by workspace.yaml).

It assembles the source observations, the target-table assets built from declarations and the
domains' own definitions (audit ingest, operations), wires resources to the environment, and
applies cross-cutting policy once: per target database a freshness policy, an automation
condition and an automation sensor (declared RUNNING, so a new deployment keeps itself fresh
without anyone switching a toggle). Nothing runs at import time; Dagster calls `defs()` when it
loads the code location.
"""

from __future__ import annotations

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    from genims_platform.analytics.tables import ANALYTICS_TABLES
    from genims_platform.audit.definitions import AUDIT_TABLES, audit_definitions
    from genims_platform.catalog import SOURCE_DATABASES
    from genims_platform.lib import automation
    from genims_platform.lib.builder import build_table_asset
    from genims_platform.lib.environment import (
        build_resources,
        physical_source_names,
        physical_target_names,
    )
    from genims_platform.lib.keys import source_key
    from genims_platform.lib.partitions import history_start, partitions_for
    from genims_platform.operations.definitions import operations_definitions
    from genims_platform.reporting.tables import REPORTING_TABLES
    from genims_platform.sources.assets import build_source_observations
    from genims_platform.sources.checks import build_source_checks

    start = history_start()
    targets = physical_target_names()
    specs = [*REPORTING_TABLES, *ANALYTICS_TABLES, *AUDIT_TABLES]
    table_assets = [
        build_table_asset(spec, partitions_for(spec.partitioning, start), targets[spec.target])
        for spec in specs
    ]
    domains = [audit_definitions(), operations_definitions()]
    reads: dict[str, set[str]] = {}
    for spec in specs:
        for database, table in spec.reads:
            if database in SOURCE_DATABASES:
                reads.setdefault(database, set()).add(table)
    observations = build_source_observations(
        reads, physical_source_names(), automation.observe_sources()
    )
    source_keys = [source_key(s, t) for s, tables in reads.items() for t in tables]

    sensors = [
        dg.AutomationConditionSensorDefinition(
            "source_observation_automation",
            target=dg.AssetSelection.assets(*source_keys),
            default_status=dg.DefaultSensorStatus.RUNNING,
            minimum_interval_seconds=30,
            description="Observes the source databases' change markers every 5 minutes and "
            "runs their dates_plausible checks hourly.",
        ),
    ]
    for policy in automation.TARGET_POLICIES:
        sensors.append(
            dg.AutomationConditionSensorDefinition(
                f"{policy.target}_automation",
                target=dg.AssetSelection.groups(policy.group),
                default_status=dg.DefaultSensorStatus.RUNNING,
                minimum_interval_seconds=30,
                description=policy.description,
                run_tags={"genims/target": policy.target},
            )
        )
    definitions = dg.Definitions.merge(
        dg.Definitions(
            assets=[*observations, *table_assets],
            asset_checks=build_source_checks(reads),
            resources=build_resources(),
            sensors=sensors,
            executor=dg.in_process_executor,
        ),
        *domains,
    )
    for policy in automation.TARGET_POLICIES:
        definitions = definitions.map_resolved_asset_specs(
            func=policy.apply, selection=dg.AssetSelection.groups(policy.group)
        )
    return definitions
