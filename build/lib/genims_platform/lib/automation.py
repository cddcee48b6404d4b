"""Automation conditions and freshness policies, applied once in `definitions.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import dagster as dg

from genims_platform.catalog import TARGET_DATABASES

AC = dg.AutomationCondition

HOURLY = "0 * * * *"
SOURCE_OBSERVATION = "*/5 * * * *"

ONE_HOUR_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=1), warn_window=timedelta(minutes=45)
)


def observe_sources() -> dg.AutomationCondition:
    """Observe each source's change markers on a short cron."""
    return AC.cron_tick_passed(SOURCE_OBSERVATION).with_label("observe every 5 minutes")


RESTATEMENT_DAYS = 7


def restate_recent_partitions(partitions_def: dg.PartitionsDefinition | None) -> AC:
    """Once a night, shortly after midnight, recompute the last complete days (the previous
    month for monthly tables): late changes to past business days, such as an order shipped,
    paid or cancelled days after it was placed, or the final hour of yesterday, reach history
    without a manual backfill. The hourly refresh only ever sees the open partition."""
    if isinstance(partitions_def, dg.MonthlyPartitionsDefinition):
        cron, lookback = "15 0 1 * *", timedelta(days=62)
    else:
        cron, lookback = "15 0 * * *", timedelta(days=RESTATEMENT_DAYS + 1)
    return (
        AC.in_latest_time_window(lookback)
        & ~AC.in_latest_time_window()
        & AC.cron_tick_passed(cron).since_last_handled()
        & ~AC.in_progress()
    ).with_label(f"restate the last {RESTATEMENT_DAYS} days nightly")


def hourly_refresh(partitions_def: dg.PartitionsDefinition | None = None) -> AC:
    """Refresh the open partition when a source changed, at most once per clock hour, and
    whenever freshness warns or fails; never while a run of the asset is in flight; restate
    the recent past once a night."""
    changed_at_most_hourly = (
        AC.eager() & AC.cron_tick_passed(HOURLY).since_last_handled()
    ).with_label("a source changed (at most hourly)")
    refresh_before_stale = (
        AC.in_latest_time_window()
        & (AC.freshness_warned() | AC.freshness_failed()).newly_true().since_last_handled()
        & ~AC.in_progress()
    ).with_label("freshness warned or failed")
    return (
        changed_at_most_hourly | refresh_before_stale | restate_recent_partitions(partitions_def)
    ).with_label("hourly refresh")


NIGHTLY = "0 1 * * *"

# A nightly refresh finishes within a couple of hours of its 01:00 tick; warn once a day was
# missed, fail when the next night is missed as well.
NIGHTLY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=26), warn_window=timedelta(hours=25)
)


def same_database_deps_done_tonight(target: str, cron: str = NIGHTLY) -> AC:
    """Every upstream asset of the same target database has been materialised since tonight's
    tick (for a partition: some partition it maps to has). Only real materialisations count,
    not `will_be_requested`: dimensions are unpartitioned and facts partitioned, so the sensor
    launches them in separate runs, and a fact requested in the same tick as its dimension
    could start before the dimension is merged. Sources are not waited for; they change all
    day."""
    return (
        AC.all_deps_match(AC.newly_updated().since(AC.cron_tick_passed(cron)))
        .allow(dg.AssetSelection.groups(TARGET_DATABASES[target]))
        .with_label("tonight's upstream tables are done")
    )


def nightly_refresh(partitions_def: dg.PartitionsDefinition | None = None) -> AC:
    """The analytics warehouse refreshes once a night, in dependency order. At 01:00 UTC the
    dimensions merge. Each fact then restates its last complete days (late edits and
    cancellations reach history, as in reporting) once every dimension it points at has been
    merged tonight. Each aggregate follows once its facts are done: a daily one restates the
    same days, the monthly one the month(s) those days fall in (month-to-date, and on the
    first nights of a month the previous month too)."""
    tick = AC.cron_tick_passed(NIGHTLY).since_last_handled()
    if partitions_def is None:
        return (tick & ~AC.in_progress()).with_label("nightly at 01:00 UTC")
    ready = (
        same_database_deps_done_tonight("analytics")
        & ~AC.any_deps_in_progress()
        & ~AC.in_progress()
    )
    if isinstance(partitions_def, dg.MonthlyPartitionsDefinition):
        # Recent months whose facts were restated tonight ("ready" maps a month to its days).
        recent_months = AC.in_latest_time_window(timedelta(days=62))
        return (recent_months & tick & ready).with_label(
            "nightly after the facts: the months of the restated days"
        )
    recent_days = (
        AC.in_latest_time_window(timedelta(days=RESTATEMENT_DAYS + 1)) & ~AC.in_latest_time_window()
    )
    return (recent_days & tick & ready).with_label(
        f"nightly after the dimensions: the last {RESTATEMENT_DAYS} complete days"
    )


@dataclass(frozen=True)
class TargetPolicy:
    """Freshness and automation of every table asset of one target database."""

    target: str
    description: str
    freshness: dg.FreshnessPolicy
    condition: Callable[[dg.PartitionsDefinition | None], dg.AutomationCondition]

    @property
    def group(self) -> str:
        return TARGET_DATABASES[self.target]

    def apply(self, spec: dg.AssetSpec) -> dg.AssetSpec:
        """Attach the policy, unless the asset declared its own automation condition."""
        condition = spec.automation_condition or self.condition(spec.partitions_def)
        return dg.apply_freshness_policy(
            spec.replace_attributes(automation_condition=condition), self.freshness
        )


TARGET_POLICIES: list[TargetPolicy] = [
    TargetPolicy(
        target="reporting",
        description="Keeps the reporting tables within their one-hour freshness limit.",
        freshness=ONE_HOUR_FRESHNESS,
        condition=hourly_refresh,
    ),
    TargetPolicy(
        target="audit",
        description="Keeps the audit tables within their one-hour freshness limit: the "
        "sensor-fed stream tables declare their own condition (a fallback for when the "
        "sensors are off); the source-derived tables refresh hourly like reporting.",
        freshness=ONE_HOUR_FRESHNESS,
        condition=hourly_refresh,
    ),
    TargetPolicy(
        target="analytics",
        description="Refreshes the analytics warehouse nightly at 01:00 UTC: dimensions first, "
        "then the facts' last complete days, then the aggregates; fresh within 26 hours.",
        freshness=NIGHTLY_FRESHNESS,
        condition=nightly_refresh,
    ),
]
