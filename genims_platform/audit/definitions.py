"""Audit pipeline definitions merged into the code location.

`AUDIT_TABLES` holds the audit tables declared through the table builder (the source-derived
compliance and business-rule tables, written with `AppendVersions`); `audit_definitions()`
returns everything else of the pipeline:

* the outbox of each source database as an observable source asset (``[<db>, genims_outbox]``)
  and the Dagster instance's event log as an external asset;
* `audit_outbox_ingest`: the stream tables fed by the outboxes, with the `ingest_health`
  check (lag and backlog within limits, every source reachable);
* `audit_self_audit`: the platform's runs, materialisations, failures and check results;
* `audit_trail_integrity`: hourly digest export and check, daily full verification, with the
  `chain_intact` check;
* `audit_outbox_sensor` (every 5 s) launching ingest runs, and `audit_self_audit_sensor`
  (every 15 s) writing the self-audit rows itself; both RUNNING by default.

The sensors' own cursors are hints: the authoritative cursors are in MySQL, committed with the
rows (see `genims_platform.audit.ingest`).
"""

import hashlib
import json
import os
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import dagster as dg
from pydantic import Field

from genims_platform.audit import business_rules, compliance
from genims_platform.lib.environment import audit_connection
from genims_platform.lib.environment import env_value as _env
from genims_platform.lib.errors import first_line
from genims_platform.lib.tables import TableSpec

AUDIT_TABLES: list[TableSpec] = [*compliance.TABLES, *business_rules.TABLES]

AUDIT_GROUP = "genims_audit_db"
INSTANCE_KEY = dg.AssetKey(["genims_dagster", "event_logs"])
INGEST_RESOURCE = "mysql_audit_ingest"
BLOB_RESOURCE = "audit_blob"
INGEST_JOB = "audit_ingest_job"
HEARTBEAT = timedelta(minutes=14)
# A sensor run keeps polling for up to 10 minutes (leaving after 60 s without events): under a
# steady stream only one commit in ten minutes waits for a run launch, and the stream assets
# still materialise well within the 15 minutes their freshness needs.
LINGER_S = 600.0
IDLE_EXIT_S = 60.0
AC = dg.AutomationCondition


def outbox_key(logical: str) -> dg.AssetKey:
    from genims_platform.catalog import SOURCE_DATABASES

    return dg.AssetKey([SOURCE_DATABASES[logical], "genims_outbox"])


def _refresh_before_stale() -> dg.AutomationCondition:
    """Safety net when the sensors are off: materialise when freshness warns or fails."""
    return (
        (AC.freshness_warned() | AC.freshness_failed()).newly_true().since_last_handled()
        & ~AC.in_progress()
    ).with_label("freshness warned or failed (sensor fallback)")


class AuditDatabase(dg.ConfigurableResource):
    """The audit database as the pipeline's least-privilege ingest account, with the
    pipeline's limits."""

    database: str
    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = ""
    charset: str = "utf8mb4"
    timeout: int = 30
    ssl_ca: str = ""
    ssl_verify_identity: str = "true"
    batch_size: int = 5000
    max_lag_s: int = 300
    max_backlog: int = 100_000
    outbox_keep_hours: int = 168

    def db(self):
        from genims_platform.lib.resources import MySQLDatabase

        return MySQLDatabase(
            logical="audit",
            database=self.database,
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            charset=self.charset,
            timeout=self.timeout,
            ssl_ca=self.ssl_ca,
            ssl_verify_identity=self.ssl_verify_identity,
        )


class AuditBlob(dg.ConfigurableResource):
    """Blob storage of the exported digests (Azurite locally)."""

    connection_string: str = "UseDevelopmentStorage=true"
    container: str = "genims-audit-digests"

    def store(self):
        from genims_platform.lib.blob import AzureBlobStore

        return AzureBlobStore(self.connection_string)


def audit_resources(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Resources of the pipeline; only the presence of variables is looked at here."""
    environ = os.environ if environ is None else environ
    return {
        INGEST_RESOURCE: AuditDatabase(
            **audit_connection("ingest", environ),
            batch_size=_env("AUDIT_BATCH_SIZE", 5000, environ),
            max_lag_s=_env("AUDIT_MAX_LAG_SECONDS", 300, environ),
            max_backlog=_env("AUDIT_MAX_BACKLOG", 100_000, environ),
            outbox_keep_hours=_env("AUDIT_OUTBOX_KEEP_HOURS", 168, environ),
        ),
        BLOB_RESOURCE: AuditBlob(
            connection_string=_env(
                "AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true", environ
            ),
            container=_env("AUDIT_DIGEST_CONTAINER", "genims-audit-digests", environ),
        ),
    }


def _column_schema(table: str) -> dg.TableSchema:
    from genims_platform.lib.schema import table_schema

    schema = table_schema("audit", table)
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.sql_type,
                description=c.description or None,
                constraints=dg.TableColumnConstraints(nullable=c.nullable),
            )
            for c in schema.columns
        ]
    )


def _spec(table: str, deps: list[dg.AssetKey], database: str, description: str) -> dg.AssetSpec:
    from genims_platform.lib.keys import target_key
    from genims_platform.lib.schema import table_schema

    return dg.AssetSpec(
        key=target_key("audit", table),
        deps=deps,
        description=f"{table_schema('audit', table).comment}. {description}",
        group_name=AUDIT_GROUP,
        kinds={"mysql"},
        owners=["team:data-platform"],
        tags={"genims/category": "audit"},
        automation_condition=_refresh_before_stale(),
        metadata={
            "dagster/table_name": f"{database}.{table}",
            "dagster/column_schema": _column_schema(table),
            "append_only": dg.MetadataValue.text("yes: hash-chained, UPDATE/DELETE refused"),
        },
    )


def _sources() -> list[str]:
    from genims_platform.catalog import SOURCE_DATABASES

    return list(SOURCE_DATABASES)


class IngestConfig(dg.Config):
    """Which sources a run ingests (empty: all) and how long it may keep draining."""

    sources: list[str] = Field(default_factory=list)
    time_budget_s: float = 60.0
    linger_s: float = Field(
        default=0.0,
        description="After the first pass, keep polling every source every poll_s seconds "
        "for up to this long (sensor runs: 600 s), so a steady stream of commits reaches "
        "MySQL within about a second instead of paying a run launch each time.",
    )
    idle_exit_s: float = 30.0
    poll_s: float = 0.5


def _health(context, audit: AuditDatabase, sources: list[str]) -> dict:
    """Backlog and age of the oldest pending event per source, after the ingest."""
    from genims_platform.audit import outbox
    from genims_platform.audit.ingest import read_cursors
    from genims_platform.lib.errors import DatabaseUnavailableError, first_line

    cursors = read_cursors(audit.db())
    out = {}
    for logical in sources:
        pg = getattr(context.resources, f"pg_{logical}")
        cursor = cursors.get(logical)
        after = cursor.position if cursor else (0, 0)
        try:
            with pg.connect(primary=True) as conn:
                backlog = outbox.read_backlog(conn, after)
                conn.rollback()
            out[logical] = {
                "pending": backlog.pending,
                "oldest_pending_age_s": round(backlog.oldest_age_s or 0.0, 1),
                "generation": cursor.generation if cursor else 0,
                "ingested": cursor.events_total if cursor else 0,
                "error": None,
            }
        except (DatabaseUnavailableError, Exception) as error:
            out[logical] = {
                "pending": None,
                "oldest_pending_age_s": None,
                "generation": cursor.generation if cursor else 0,
                "ingested": cursor.events_total if cursor else 0,
                "error": str(error)
                if isinstance(error, DatabaseUnavailableError)
                else first_line(error),
            }
    return out


def _purge_outboxes(context, audit: AuditDatabase, db, results) -> int:
    """Delete events audited more than AUDIT_OUTBOX_KEEP_HOURS ago from the outboxes of the
    sources this run reached; housekeeping, so a failure is a warning, never a failed run."""
    from genims_platform.audit.ingest import purge_delivered

    if audit.outbox_keep_hours <= 0:
        return 0
    keep = timedelta(hours=audit.outbox_keep_hours)
    purged = 0
    for result in results:
        if result.error:
            continue
        try:
            done = purge_delivered(
                getattr(context.resources, f"pg_{result.logical}"), db, result.logical, keep=keep
            )
        except Exception as error:
            context.log.warning(f"{result.logical}: outbox purge failed: {first_line(error)}")
            continue
        if done.not_permitted:
            context.log.warning(f"{result.logical}: outbox not purged: {done.skipped}")
        purged += done.deleted
    return purged


def _markdown(health: dict) -> str:
    lines = [
        "| source | pending | oldest pending (s) | generation | error |",
        "|---|---|---|---|---|",
    ]
    for logical, h in health.items():
        lines.append(
            f"| {logical} | {h['pending'] if h['pending'] is not None else '?'} | "
            f"{h['oldest_pending_age_s'] if h['oldest_pending_age_s'] is not None else '?'} | "
            f"{h['generation']} | {h['error'] or ''} |"
        )
    return "\n".join(lines)


def _ingest_asset(database: str):
    from genims_platform.audit import events as ev
    from genims_platform.lib.keys import target_key

    tables = list(ev.STREAM_TABLES)
    deps = [outbox_key(s) for s in _sources()]
    specs = [
        _spec(
            t,
            deps,
            database,
            "Appended by the audit outbox sensor's runs, exactly once, in (txid, event_id) "
            "order below each source's xid8 horizon.",
        )
        for t in tables
    ]
    system_key = target_key("audit", ev.SYSTEM)
    resource_keys = {
        INGEST_RESOURCE,
        *(f"pg_{s}" for s in _sources()),
        "mysql_reporting",
        "mysql_analytics",
        "mysql_audit",
    }

    @dg.multi_asset(
        name="audit_outbox_ingest",
        specs=specs,
        check_specs=[
            dg.AssetCheckSpec(
                "ingest_health",
                asset=system_key,
                description="Every source reachable; backlog and age of the oldest pending "
                "event within AUDIT_MAX_BACKLOG and AUDIT_MAX_LAG_SECONDS.",
            )
        ],
        required_resource_keys=resource_keys,
        op_tags={"genims/target": "audit"},
    )
    def audit_outbox_ingest(context: dg.AssetExecutionContext, config: IngestConfig):
        from genims_platform.audit.ingest import SourceResult, ingest_source
        from genims_platform.audit.selfaudit import read_migrations, record_migrations

        audit: AuditDatabase = getattr(context.resources, INGEST_RESOURCE)
        db = audit.db()
        sources = config.sources or _sources()
        started = time.perf_counter()

        def one(logical: str):
            return ingest_source(
                getattr(context.resources, f"pg_{logical}"),
                db,
                logical,
                batch_size=audit.batch_size,
                time_budget_s=config.time_budget_s,
            )

        merged: dict[str, SourceResult] = {}

        def sweep(pool, names: list[str]) -> int:
            found = 0
            for result in pool.map(one, names):
                total = merged.setdefault(result.logical, SourceResult(result.logical))
                total.events += result.events
                total.batches += result.batches
                for table, count in result.rows.items():
                    total.add_rows(table, count)
                total.error = result.error  # the latest state of the source counts
                found += result.events
            return found

        with ThreadPoolExecutor(max_workers=min(4, len(_sources()))) as pool:
            sweep(pool, sources)
            lingering = time.monotonic()
            active = lingering
            while (
                config.linger_s > 0
                and time.monotonic() - lingering < config.linger_s
                and time.monotonic() - active < config.idle_exit_s
            ):
                time.sleep(config.poll_s)
                if sweep(pool, _sources()):
                    active = time.monotonic()
        results = list(merged.values())
        migrations = {}
        for logical in ("reporting", "analytics", "audit"):
            resource = getattr(context.resources, f"mysql_{logical}")
            try:
                migrations[resource.database] = read_migrations(resource)
            except Exception as error:
                context.log.warning(f"schema migrations of {logical} not read: {error}")
        appended_migrations = record_migrations(db, migrations) if migrations else 0
        errors = [r.error for r in results if r.error]
        for message in errors:
            context.log.error(message)
        if errors and len(errors) == len(results):
            raise dg.Failure(
                description="no source could be ingested: " + "; ".join(errors),
            )
        purged = _purge_outboxes(context, audit, db, results)
        health = _health(context, audit, _sources())
        for logical, h in health.items():
            context.log_event(
                dg.AssetObservation(
                    asset_key=outbox_key(logical),
                    metadata={
                        "pending_events": dg.MetadataValue.int(h["pending"] or 0),
                        "oldest_pending_age_seconds": dg.MetadataValue.float(
                            float(h["oldest_pending_age_s"] or 0.0)
                        ),
                        "reachable": dg.MetadataValue.bool(h["error"] is None),
                    },
                )
            )
        events = sum(r.events for r in results)
        rows = {t: sum(r.rows.get(t, 0) for r in results) for t in tables}
        rows[ev.CHANGE_MGMT] += appended_migrations
        backlog = sum(h["pending"] or 0 for h in health.values())
        oldest = max((h["oldest_pending_age_s"] or 0.0 for h in health.values()), default=0.0)
        unreachable = {s: h["error"] for s, h in health.items() if h["error"]}
        problems = []
        if unreachable:
            problems.append("unreachable: " + "; ".join(unreachable.values()))
        if backlog > audit.max_backlog:
            problems.append(f"backlog {backlog} > {audit.max_backlog}")
        if oldest > audit.max_lag_s:
            problems.append(f"oldest pending event {oldest:.0f} s old > {audit.max_lag_s} s")
        elapsed = time.perf_counter() - started
        common = {
            "events_ingested": dg.MetadataValue.int(events),
            "backlog_total": dg.MetadataValue.int(backlog),
            "oldest_pending_age_seconds": dg.MetadataValue.float(float(oldest)),
            "backlog_by_source": dg.MetadataValue.md(_markdown(health)),
            "duration_seconds": dg.MetadataValue.float(round(elapsed, 3)),
            "outbox_events_purged": dg.MetadataValue.int(purged),
            "events_per_second": dg.MetadataValue.float(
                round(events / elapsed, 1) if elapsed else 0
            ),
        }
        for table in tables:
            yield dg.MaterializeResult(
                asset_key=target_key("audit", table),
                metadata={"dagster/row_count": dg.MetadataValue.int(rows[table]), **common},
            )
        yield dg.AssetCheckResult(
            asset_key=system_key,
            check_name="ingest_health",
            passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(problems) or "all sources reachable, lag and backlog in limits",
            metadata={
                "backlog_total": dg.MetadataValue.int(backlog),
                "oldest_pending_age_seconds": dg.MetadataValue.float(float(oldest)),
                "max_backlog": dg.MetadataValue.int(audit.max_backlog),
                "max_lag_seconds": dg.MetadataValue.int(audit.max_lag_s),
            },
        )

    return audit_outbox_ingest


def _secrets(resources) -> list[str]:
    """Every secret the run can know: its resources' and the environment's (an error may
    carry a password of a database this step never connected to)."""
    from genims_platform.lib.errors import environment_secrets

    found = environment_secrets()
    for name in dir(resources):
        value = getattr(resources, name, None)
        for attr in ("password", "replica_password", "connection_string"):
            secret = getattr(value, attr, None)
            if isinstance(secret, str) and secret:
                found.append(secret)
    return found


def _self_audit_asset(database: str):
    from genims_platform.audit.selfaudit import SELF_AUDIT_TABLES, record_events
    from genims_platform.lib.keys import target_key

    specs = [
        _spec(
            t,
            [INSTANCE_KEY],
            database,
            "Appended by audit_self_audit_sensor from the Dagster event log, exactly once.",
        )
        for t in SELF_AUDIT_TABLES
    ]

    @dg.multi_asset(
        name="audit_self_audit",
        specs=specs,
        required_resource_keys={INGEST_RESOURCE},
        op_tags={"genims/target": "audit"},
    )
    def audit_self_audit(context: dg.AssetExecutionContext):
        audit: AuditDatabase = getattr(context.resources, INGEST_RESOURCE)
        result = record_events(context.instance, audit.db(), secrets=_secrets(context.resources))
        for table in SELF_AUDIT_TABLES:
            yield dg.MaterializeResult(
                asset_key=target_key("audit", table),
                metadata={
                    "dagster/row_count": dg.MetadataValue.int(result.rows.get(table, 0)),
                    "event_log_cursor": dg.MetadataValue.int(result.cursor),
                },
            )

    return audit_self_audit


def _integrity_asset(database: str, chained: list[str]):
    from genims_platform.audit import verify
    from genims_platform.lib.keys import target_key

    key = target_key("audit", verify.INTEGRITY)
    spec = _spec(
        verify.INTEGRITY,
        [target_key("audit", t) for t in chained if t != verify.INTEGRITY],
        database,
        "Hourly: exports the digest of every chain head to blob storage and checks the recent "
        "digests; daily (first run of the UTC day): full recomputation of every chain. Each "
        "ingest also appends an incremental verification.",
    ).replace_attributes(
        automation_condition=(
            (AC.cron_tick_passed("5 * * * *") & ~AC.in_progress()) | _refresh_before_stale()
        ).with_label("hourly at :05")
    )

    @dg.multi_asset(
        name="audit_trail_integrity_verification",
        specs=[spec],
        check_specs=[
            dg.AssetCheckSpec(
                "chain_intact",
                asset=key,
                description="Every verification of this run found the chains and the exported "
                "digests intact.",
            )
        ],
        required_resource_keys={"mysql_audit", BLOB_RESOURCE},
        op_tags={"genims/target": "audit"},
    )
    def audit_trail_integrity_verification(context: dg.AssetExecutionContext):
        owner = context.resources.mysql_audit
        blob: AuditBlob = getattr(context.resources, BLOB_RESOURCE)
        store = blob.store()
        now = datetime.now(UTC)
        reports = []
        with owner.connect() as conn:
            exported = verify.export_digest(conn, store, blob.container, owner.database, now=now)
            reports.append(exported)
            checked = verify.verify_digests(conn, store, blob.container, owner.database, now=now)
            verify.record(conn, checked, verified_by="digest check", now=now)
            reports.append(checked)
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT COUNT(*) FROM audit_trail_integrity WHERE verification_type = 'FULL' "
                    "AND verification_timestamp >= %s",
                    (now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None),),
                )
                full_today = cur.fetchone()[0]
            conn.commit()
            if not full_today:
                full = verify.verify_all(conn)
                verify.record(conn, full, verified_by="daily full verification", now=now)
                reports.append(full)
        problems = [p for r in reports for p in r.all_problems]
        metadata = {f"{r.kind.lower()}_status": dg.MetadataValue.text(r.status) for r in reports}
        metadata.update(
            {
                "digest_location": dg.MetadataValue.text(exported.digest_location or ""),
                "digest_sha256": dg.MetadataValue.text(exported.digest_sha256 or ""),
                "rows_verified": dg.MetadataValue.int(sum(r.rows for r in reports)),
            }
        )
        if len(reports) > 2:
            metadata["full_rows_per_second"] = dg.MetadataValue.float(
                round(reports[-1].rows_per_second, 1)
            )
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name="chain_intact",
            passed=not problems,
            severity=dg.AssetCheckSeverity.ERROR,
            description="\n".join(problems[:50]) or "all chains and digests intact",
            metadata={"problems": dg.MetadataValue.int(len(problems))},
        )

    return audit_trail_integrity_verification


def _outbox_observation():
    from genims_platform.catalog import SOURCE_DATABASES
    from genims_platform.lib.keys import source_group

    specs = [
        dg.AssetSpec(
            key=outbox_key(s),
            description=f"Change-capture outbox genims.outbox of {SOURCE_DATABASES[s]}: one row "
            "per captured change, read by the audit pipeline below its xid8 horizon.",
            group_name=source_group(s),
            kinds={"postgres"},
            owners=["team:data-platform"],
            metadata={"dagster/table_name": f"{SOURCE_DATABASES[s]}.genims.outbox"},
        )
        for s in _sources()
    ]

    @dg.multi_observable_source_asset(
        name="observe_audit_outboxes",
        specs=specs,
        required_resource_keys={INGEST_RESOURCE, *(f"pg_{s}" for s in _sources())},
        description="Pending events of each outbox beyond the audit pipeline's cursor.",
    )
    def observe_audit_outboxes(context):
        audit: AuditDatabase = getattr(context.resources, INGEST_RESOURCE)
        health = _health(context, audit, _sources())
        for logical, h in health.items():
            yield dg.ObserveResult(
                asset_key=outbox_key(logical),
                data_version=dg.DataVersion(f"g{h['generation']}|n{h['ingested']}|p{h['pending']}"),
                metadata={
                    "pending_events": dg.MetadataValue.int(h["pending"] or 0),
                    "oldest_pending_age_seconds": dg.MetadataValue.float(
                        float(h["oldest_pending_age_s"] or 0.0)
                    ),
                    "reachable": dg.MetadataValue.bool(h["error"] is None),
                },
            )

    return observe_audit_outboxes


def _load_cursor(text: str | None) -> dict:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def _outbox_sensor(job):
    """Launches an ingest run when an outbox has events below its horizon after the committed
    cursor, or a heartbeat run when nothing ran for 14 minutes."""

    @dg.sensor(
        name="audit_outbox_sensor",
        job=job,
        minimum_interval_seconds=5,
        default_status=dg.DefaultSensorStatus.RUNNING,
        required_resource_keys={INGEST_RESOURCE, *(f"pg_{s}" for s in _sources())},
        description="Every 5 s: launches an audit ingest run when any source's outbox has "
        "committed events after the cursor stored in MySQL (run key = the batch boundaries).",
    )
    def audit_outbox_sensor(context: dg.SensorEvaluationContext):
        from genims_platform.audit import outbox
        from genims_platform.audit.ingest import read_cursors

        state = _load_cursor(context.cursor)
        in_flight = context.instance.get_run_records(
            filters=dg.RunsFilter(
                job_name=INGEST_JOB,
                statuses=[
                    dg.DagsterRunStatus.QUEUED,
                    dg.DagsterRunStatus.NOT_STARTED,
                    dg.DagsterRunStatus.STARTING,
                    dg.DagsterRunStatus.STARTED,
                ],
            ),
            limit=1,
        )
        if in_flight:
            return dg.SkipReason("an audit ingest run is in flight")
        audit: AuditDatabase = getattr(context.resources, INGEST_RESOURCE)
        cursors = read_cursors(audit.db())
        boundaries = {}
        unreachable = []
        for logical in _sources():
            cursor = cursors.get(logical)
            after = cursor.position if cursor else (0, 0)
            try:
                pg = getattr(context.resources, f"pg_{logical}")
                with pg.connect(primary=True) as conn:
                    epoch = outbox.read_epoch(conn)
                    horizon = outbox.read_horizon(conn)
                    last = outbox.last_position(conn, horizon)
                    conn.rollback()
            except Exception:
                unreachable.append(logical)
                continue
            if last > after or cursor is None or epoch != cursor.epoch:
                # The batch boundaries: from the committed cursor to the last committed event.
                generation = cursor.generation if cursor else 0
                boundaries[logical] = f"{generation}:{after[0]}.{after[1]}-{last[0]}.{last[1]}"
        now = time.time()
        last_request = state.get("requested_at")
        heartbeat = last_request is None or now - last_request >= HEARTBEAT.total_seconds()
        if not boundaries and not heartbeat:
            note = f"; unreachable: {', '.join(unreachable)}" if unreachable else ""
            return dg.SkipReason(f"no committed events pending{note}")
        sources = sorted(boundaries) if boundaries else []
        base = hashlib.sha256(json.dumps(boundaries, sort_keys=True).encode()).hexdigest()[:16]
        if not boundaries:
            base = f"heartbeat-{int(now // HEARTBEAT.total_seconds())}"
        # The same boundaries as the last request mean that run ended without progress
        # (failed, or killed before committing): ask again under a new key.
        attempt = state.get("attempt", 0) + 1 if state.get("base") == base else 0
        key = f"audit-ingest:{base}" + (f":retry{attempt}" if attempt else "")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=key,
                    run_config=dg.RunConfig(
                        ops={
                            "audit_outbox_ingest": IngestConfig(
                                sources=sources, linger_s=LINGER_S, idle_exit_s=IDLE_EXIT_S
                            )
                        }
                    ),
                    tags={"genims/target": "audit", "genims/audit": "ingest"},
                )
            ],
            cursor=json.dumps({"base": base, "attempt": attempt, "requested_at": now}),
        )

    return audit_outbox_sensor


def _self_audit_sensor():
    from genims_platform.audit.selfaudit import SELF_AUDIT_TABLES, record_events
    from genims_platform.lib.keys import target_key

    @dg.sensor(
        name="audit_self_audit_sensor",
        minimum_interval_seconds=15,
        default_status=dg.DefaultSensorStatus.RUNNING,
        required_resource_keys={INGEST_RESOURCE},
        description="Every 15 s: appends the platform's finished runs, materialisations, "
        "failures and check results to the audit database (cursor = event-log storage id, "
        "kept in MySQL).",
    )
    def audit_self_audit_sensor(context: dg.SensorEvaluationContext):
        state = _load_cursor(context.cursor)
        audit: AuditDatabase = getattr(context.resources, INGEST_RESOURCE)
        graph = None
        if context.repository_def is not None:
            graph = context.repository_def.asset_graph

        def upstream_of(key: dg.AssetKey) -> str | None:
            if graph is None or not graph.has(key):
                return None
            parents = sorted({p.path[0] for p in graph.get(key).parent_keys})
            return ", ".join(parents)[:512] or None

        result = record_events(
            context.instance,
            audit.db(),
            secrets=_secrets(context.resources),
            upstream_of=upstream_of,
        )
        now = time.time()
        beat = state.get("materialized_at")
        due = beat is None or now - beat >= HEARTBEAT.total_seconds()
        events = []
        if result.rows or due:
            for table in SELF_AUDIT_TABLES:
                events.append(
                    dg.AssetMaterialization(
                        asset_key=target_key("audit", table),
                        metadata={
                            "dagster/row_count": dg.MetadataValue.int(result.rows.get(table, 0)),
                            "event_log_cursor": dg.MetadataValue.int(result.cursor),
                        },
                    )
                )
            state["materialized_at"] = now
        state["storage_id"] = result.cursor
        if not events:
            return dg.SensorResult(
                skip_reason=f"no new events after storage id {result.cursor}",
                cursor=json.dumps(state),
            )
        return dg.SensorResult(asset_events=events, cursor=json.dumps(state))

    return audit_self_audit_sensor


def audit_definitions() -> dg.Definitions:
    from genims_platform.audit import events as ev
    from genims_platform.audit.selfaudit import SELF_AUDIT_TABLES
    from genims_platform.lib.environment import physical_target_names
    from genims_platform.lib.keys import target_key

    database = physical_target_names()["audit"]
    chained = [
        *ev.STREAM_TABLES,
        *SELF_AUDIT_TABLES,
        *(spec.name for spec in AUDIT_TABLES),
        "audit_trail_integrity",
    ]
    ingest = _ingest_asset(database)
    job = dg.define_asset_job(
        INGEST_JOB,
        selection=dg.AssetSelection.assets(*(target_key("audit", t) for t in ev.STREAM_TABLES)),
        tags={"genims/target": "audit"},
    )
    return dg.Definitions(
        assets=[
            _outbox_observation(),
            dg.AssetSpec(
                INSTANCE_KEY,
                description="The Dagster instance's run and event-log storage (PostgreSQL, "
                "dagster-postgres); source of the platform's self-audit.",
                group_name="dagster_instance",
                kinds={"postgres"},
            ),
            ingest,
            _self_audit_asset(database),
            _integrity_asset(database, chained),
        ],
        jobs=[job],
        sensors=[_outbox_sensor(job), _self_audit_sensor()],
        resources=audit_resources(),
    )
