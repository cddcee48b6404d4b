"""Backups to blob storage and restore verification, against the real MariaDB server and
Azurite: databases of their own (``<prefix>_bk_<logical>``), a container of their own."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from genims_platform.lib import mysql
from genims_platform.lib.blob import AzureBlobStore, MemoryBlobStore
from genims_platform_tests.conftest import PREFIX
from genims_platform_tests.operations import backup_support as bs

LOGICALS = ("reporting", "analytics", "audit")
DATABASES = {logical: f"{PREFIX}_bk_{logical}" for logical in LOGICALS}
CONTAINER = f"{PREFIX.replace('_', '-')}-bk-{uuid.uuid4().hex[:8]}"
DIGESTS = f"{CONTAINER}-dg"
BIG_TABLE = "sales_by_product"


@pytest.fixture(scope="module")
def bk_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # The audit accounts are not needed here: without passwords they are not created.
        if not re.match(r"MYSQL_AUDIT_(INGEST|COMPLIANCE|RETENTION)_", k)
    }
    env.update({f"MYSQL_{logical.upper()}_DB": name for logical, name in DATABASES.items()})
    env["BACKUP_AZURE_CONTAINER"] = CONTAINER
    env["AUDIT_DIGEST_CONTAINER"] = DIGESTS
    return env


@pytest.fixture(scope="module")
def bk_settings(bk_env):
    """The three databases created and migrated, filled with rows of every column type (one
    reporting table with 5,000), audit rows appended through the chains and a digest exported
    (so the restored audit copy has digests to be checked against)."""
    from genims_platform.audit import verify
    from genims_platform.audit.ingest import audit_database
    from genims_platform.bootstrap import init_all
    from genims_platform.lib.resources import dispose_pools
    from genims_platform.settings import load_settings

    settings = load_settings(bk_env)
    dispose_pools()
    target = settings.target("audit")
    bs.drop_databases(target, DATABASES.values())
    init_all(settings, sources=[], targets=list(LOGICALS))
    for logical in ("reporting", "analytics"):
        t = settings.target(logical)
        with mysql.connect(t) as conn:
            bs.fill_tables(conn, t.database, 12, big={BIG_TABLE: 5000})
    owner = audit_database(settings, role=None)
    bs.append_audit_rows(owner, 25, "before-digest")
    store = AzureBlobStore(settings.azure_connection_string)
    with owner.connect() as conn:
        verify.export_digest(conn, store, DIGESTS, target.database)
    bs.append_audit_rows(owner, 5, "after-digest")
    yield settings
    dispose_pools()
    bs.drop_databases(target, DATABASES.values())
    for container in (CONTAINER, DIGESTS):
        bs.delete_container(settings.azure_connection_string, container)


@pytest.fixture(scope="module")
def store(bk_settings):
    return AzureBlobStore(bk_settings.azure_connection_string)


@pytest.fixture(scope="module")
def owner(bk_settings):
    from genims_platform.audit.ingest import audit_database

    return audit_database(bk_settings, role=None)


def _policy(settings):
    from genims_platform.operations.backup_retention import RetentionPolicy

    return RetentionPolicy.from_settings(settings.backup)


def _backup(settings, store, owner, logical, **kwargs):
    from genims_platform.operations.backup_records import backup_database

    return backup_database(
        settings.target(logical),
        owner,
        store,
        CONTAINER,
        logical=logical,
        policy=_policy(settings),
        performed_by="pytest",
        **kwargs,
    )


def _verify(settings, store, owner, logical, name, **kwargs):
    from genims_platform.operations.backup_records import verify_and_record

    return verify_and_record(
        settings.target(logical),
        owner,
        store,
        CONTAINER,
        name,
        logical=logical,
        performed_by="pytest",
        digest_store=store,
        digest_container=DIGESTS,
        **kwargs,
    )


@pytest.mark.parametrize("logical", LOGICALS)
def test_backup_then_restore_matches_the_live_database(bk_settings, store, owner, logical):
    target = bk_settings.target(logical)
    before = bs.live_figures(target)
    assert sum(rows for rows, _ in before.values()) > 0

    nightly = _backup(bk_settings, store, owner, logical)
    backup = nightly.backup

    # The blob: what the test downloads itself hashes to the recorded SHA-256 and size.
    data = store.get(CONTAINER, backup.name)
    assert hashlib.sha256(data).hexdigest() == backup.sha256
    info = store.info(CONTAINER, backup.name)
    assert info.size == len(data) == backup.size_bytes
    meta = info.metadata
    assert meta["sha256"] == backup.sha256 and meta["size_bytes"] == str(len(data))
    assert meta["rows_total"] == str(sum(rows for rows, _ in before.values()))
    # Azure: metadata is ASCII and at most 8 KiB together.
    assert all(k.isascii() and v.isascii() for k, v in meta.items())
    assert sum(len(k) + len(v) for k, v in meta.items()) < 8192
    sql = bs.gunzip(data)
    assert len(sql) == backup.sql_bytes and b"-- Dump completed" in sql[-200:]
    assert b"CREATE TABLE" in sql
    if logical == "audit":
        # The append-only triggers are part of the backup.
        assert b"TRIGGER `document_retention_log_" in sql or b"TRIGGER " in sql

    # The manifest holds the live figures (nothing wrote to the database meanwhile).
    manifest_bytes = store.get(CONTAINER, backup.manifest)
    assert hashlib.sha256(manifest_bytes).hexdigest() == meta["manifest_sha256"]
    manifest = json.loads(manifest_bytes)
    assert manifest["dump"]["sha256"] == backup.sha256
    assert {t: (v["rows"], v["checksum"]) for t, v in manifest["tables"].items()} == before

    result = _verify(bk_settings, store, owner, logical, backup.name)
    assert result.passed, result.problems
    assert result.tables == len(before)
    assert result.rows_compared == sum(rows for rows, _ in before.values())
    assert result.actual_sha256 == backup.sha256
    assert result.scratch_dropped and result.scratch not in bs.schemas(target)
    assert "_restore_verify_" in result.scratch
    if logical == "audit":
        assert result.chain.status == "VALID" and result.chain.rows > 0
        assert result.digests is not None and result.digests.status == "VALID"
        assert result.digests.rows > 0
    # The live database was not touched, apart from the audit database's records of the
    # backup itself (CREATED and VERIFIED, one RESTORE_VERIFY row, their chain heads).
    after = bs.live_figures(target)
    if logical == "audit":
        recorded = {"document_retention_log": 2, "audit_trail_integrity": 1}
        for table, added in recorded.items():
            assert after.pop(table)[0] == before.pop(table)[0] + added
        after.pop("audit_chain_head")
        before.pop("audit_chain_head")
    assert after == before

    rows = bs.document_rows(owner, backup.location)
    actions = [r[0] for r in rows]
    assert actions == ["CREATED", "VERIFIED"]
    assert rows[0][1] == backup.sha256 and rows[1][1] == backup.sha256
    assert rows[0][2]["manifest_sha256"] == meta["manifest_sha256"]
    assert rows[1][2]["rows_compared"] == result.rows_compared
    if logical == "audit":
        with owner.connect() as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT verification_status, digest_sha256, rows_verified FROM "
                "audit_trail_integrity WHERE verification_type = 'RESTORE_VERIFY' "
                "AND digest_location = %s",
                (backup.location,),
            )
            assert cur.fetchall() == (("VALID", backup.sha256, result.chain.rows),)
            conn.commit()


def _writer(stop: threading.Event, write, counter: list[int]) -> threading.Thread:
    def run() -> None:
        while not stop.is_set():
            write()
            counter[0] += 1

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_counts_match_the_dump_while_rows_keep_arriving(bk_settings, store, owner):
    """Rows keep arriving during the dump (plain INSERTs into a reporting table, chained
    appends to the audit database): the manifest's counts fall strictly between the counts
    before and after the backup, and the restored copy has exactly the manifest's counts."""
    reporting = bk_settings.target("reporting")
    with mysql.connect(reporting, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bk_live_writes (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
            "note VARCHAR(40) NOT NULL) ENGINE=InnoDB"
        )
    tables = {"reporting": "bk_live_writes", "audit": "document_retention_log"}
    counts = {"reporting": [0], "audit": [0]}
    stop = threading.Event()
    with mysql.connect(reporting, autocommit=True) as conn, conn.cursor() as cur:
        threads = [
            _writer(
                stop,
                lambda: cur.execute("INSERT INTO bk_live_writes (note) VALUES ('live')"),
                counts["reporting"],
            ),
            _writer(stop, lambda: bs.append_audit_rows(owner, 1, "live"), counts["audit"]),
        ]
        try:
            deadline = time.monotonic() + 30
            while min(c[0] for c in counts.values()) < 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            before = {lg: bs.live_figures(bk_settings.target(lg))[t][0] for lg, t in tables.items()}
            backups = {lg: _backup(bk_settings, store, owner, lg).backup for lg in tables}
            after = {lg: bs.live_figures(bk_settings.target(lg))[t][0] for lg, t in tables.items()}
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    for logical, table in tables.items():
        dumped = backups[logical].tables[table].rows
        assert before[logical] < dumped < after[logical], (logical, before, dumped, after)
        result = _verify(bk_settings, store, owner, logical, backups[logical].name)
        assert result.passed, result.problems
        assert result.rows_compared == backups[logical].rows


def _upload_raw(settings, name: str, data: bytes, metadata: dict) -> None:
    client = bs.raw_blob_client(settings.azure_connection_string, CONTAINER, name)
    client.upload_blob(data, overwrite=True, metadata=metadata)


@pytest.mark.parametrize("damage", ["flipped byte", "truncated copy"])
def test_a_corrupted_backup_fails_verification(bk_settings, store, owner, damage):
    reporting = bk_settings.target("reporting")
    backup = _backup(bk_settings, store, owner, "reporting").backup
    data = store.get(CONTAINER, backup.name)
    meta = store.info(CONTAINER, backup.name).metadata
    if damage == "flipped byte":
        middle = len(data) // 2
        broken = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
    else:
        broken = data[: len(data) // 2]
    # The storage changed under the platform's feet; the metadata still says what was written.
    _upload_raw(bk_settings, backup.name, broken, meta)
    live_before = bs.live_figures(reporting)
    schemas_before = bs.schemas(reporting)

    result = _verify(bk_settings, store, owner, "reporting", backup.name)

    assert not result.passed
    sha_problem = [p for p in result.problems if "does not match its SHA-256" in p]
    assert sha_problem and backup.sha256 in sha_problem[0]
    assert hashlib.sha256(broken).hexdigest() == result.actual_sha256
    if damage == "truncated copy":
        assert any("truncated" in p for p in result.problems)
    # Nothing restored over anything live, no scratch database left behind.
    assert bs.live_figures(reporting) == live_before
    assert bs.schemas(reporting) == schemas_before
    rows = bs.document_rows(owner, backup.location)
    assert [r[0] for r in rows] == ["CREATED", "VERIFY_FAILED"]
    assert rows[1][2]["result"] == "failed" and rows[1][2]["sha256_expected"] == backup.sha256


def test_a_rewritten_backup_names_the_tables_that_differ(bk_settings, store, owner):
    """A backup rewritten consistently in storage (content, metadata, manifest all re-signed)
    still fails: its SHA-256 differs from the hash-chained creation record, and the restored
    table no longer matches the snapshot's CHECKSUM TABLE."""
    import gzip

    backup = _backup(bk_settings, store, owner, "reporting").backup
    sql = bs.gunzip(store.get(CONTAINER, backup.name))
    start = sql.index(f"INSERT INTO `{BIG_TABLE}`".encode())
    at = sql.index(b"'1:Z", start)
    forged = gzip.compress(sql[:at] + b"'9:Z" + sql[at + 4 :])
    forged_sha = hashlib.sha256(forged).hexdigest()
    manifest = json.loads(store.get(CONTAINER, backup.manifest))
    manifest["dump"]["sha256"] = forged_sha
    manifest_bytes = json.dumps(manifest).encode()
    meta = dict(store.info(CONTAINER, backup.name).metadata)
    meta.update(sha256=forged_sha, manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest())
    _upload_raw(bk_settings, backup.name, forged, meta)
    _upload_raw(bk_settings, backup.manifest, manifest_bytes, {"sha256": meta["manifest_sha256"]})

    result = _verify(bk_settings, store, owner, "reporting", backup.name)

    assert not result.passed
    assert list(result.differences) == [BIG_TABLE]
    assert "CHECKSUM TABLE" in result.differences[BIG_TABLE]
    assert any(f"table {BIG_TABLE}" in p for p in result.problems)
    assert any("disagree" in p for p in result.problems)
    assert any("recorded when the backup was written" in p for p in result.problems)
    assert result.expected_sha256 == backup.sha256


def test_audit_backups_are_made_immutable_where_the_store_can(bk_settings, owner):
    from genims_platform.lib.blob import BlobImmutableError
    from genims_platform.operations.backup_dump import take_backup
    from genims_platform.operations.backup_retention import (
        HoldState,
        RetentionPolicy,
        apply_retention,
    )

    clock = [datetime.now(UTC)]
    memory = MemoryBlobStore(clock=lambda: clock[0])
    policy = _policy(bk_settings)
    result = take_backup(
        bk_settings.target("audit"), memory, "audit-worm", logical="audit", policy=policy
    )
    until = (result.taken_at + timedelta(days=policy.audit_retention_days)).date()
    assert result.immutable_until == until and result.immutability_note is None
    for name in (result.name, result.manifest):
        with pytest.raises(BlobImmutableError):
            memory.delete("audit-worm", name)

    # Even if the setting is lowered later, the store keeps the backup: RETAINED.
    later = result.taken_at + timedelta(days=40)
    short = RetentionPolicy(audit_retention_days=10)
    swept = apply_retention(
        memory,
        "audit-worm",
        result.database,
        "audit",
        short,
        now=later,
        holds=HoldState(),
        performed_by="pytest",
    )
    assert swept.deleted == [] and "refused" in swept.retained[result.name]
    assert [a.action for a in swept.actions] == ["RETAINED"]
    # Past the immutability period the normal rule deletes it.
    clock[0] = result.taken_at + timedelta(days=policy.audit_retention_days + 1)
    swept = apply_retention(
        memory,
        "audit-worm",
        result.database,
        "audit",
        policy,
        now=clock[0],
        holds=HoldState(),
        performed_by="pytest",
    )
    assert swept.deleted == [result.name]
    assert memory.list("audit-worm") == []

    # Azurite has no immutability policies: the backup is kept and the gap recorded.
    azurite = AzureBlobStore(bk_settings.azure_connection_string)
    nightly = _backup(bk_settings, azurite, owner, "audit")
    assert nightly.backup.immutable_until is None
    assert nightly.backup.immutability_note.startswith("not set")
    created = bs.document_rows(owner, nightly.backup.location)[0]
    assert created[0] == "CREATED" and created[2]["immutable_until"] is None
    assert created[2]["immutability"].startswith("not set")


def _copy_backup(store, backup, taken_at: datetime) -> str:
    """A copy of `backup` named as if taken at `taken_at` (the dump and its manifest)."""
    from genims_platform.operations.backup_retention import backup_name, manifest_name

    name = backup_name(backup.database, taken_at)
    meta = store.info(CONTAINER, backup.name).metadata
    store.put(CONTAINER, name, store.get(CONTAINER, backup.name), metadata=meta)
    store.put(CONTAINER, manifest_name(name), store.get(CONTAINER, backup.manifest))
    return name


def test_the_nightly_run_deletes_expired_backups_and_records_it(bk_settings, store, owner):
    from genims_platform.operations.backup_records import append_documents
    from genims_platform.operations.backup_retention import list_backups, manifest_name
    from genims_platform.operations.documents import DocumentAction

    now = datetime.now(UTC)
    template = _backup(bk_settings, store, owner, "reporting").backup
    expired = _copy_backup(store, template, now - timedelta(days=31, hours=1))
    held = _copy_backup(store, template, now - timedelta(days=45))
    kept = _copy_backup(store, template, now - timedelta(days=29))
    append_documents(
        owner,
        [
            DocumentAction(
                container=CONTAINER,
                name=held,
                document_type="BACKUP",
                action="HELD",
                retention_requirement="legal hold 1",
                performed_by="pytest",
            )
        ],
        now,
    )

    nightly = _backup(bk_settings, store, owner, "reporting", now=now + timedelta(seconds=1))

    assert nightly.retention.deleted == [expired]
    assert "legal hold" in nightly.retention.retained[held]
    names = {b.name for b in list_backups(store, CONTAINER, template.database)}
    assert expired not in names and manifest_name(expired) not in {
        b.manifest.name for b in list_backups(store, CONTAINER, template.database) if b.manifest
    }
    assert {held, kept, template.name, nightly.backup.name} <= names
    deleted = bs.document_rows(owner, f"{CONTAINER}/{expired}")
    assert [r[0] for r in deleted] == ["DELETED"]
    assert deleted[0][2]["deleted"] == [expired, manifest_name(expired)]
    retained = bs.document_rows(owner, f"{CONTAINER}/{held}")
    assert [r[0] for r in retained] == ["HELD", "RETAINED"]
    # Once released, the next sweep deletes it.
    append_documents(
        owner,
        [
            DocumentAction(
                container=CONTAINER,
                name=held,
                document_type="BACKUP",
                action="RELEASED",
                retention_requirement="released",
                performed_by="pytest",
            )
        ],
        now,
    )
    again = _backup(bk_settings, store, owner, "reporting", now=now + timedelta(seconds=2))
    assert again.retention.deleted == [held]


def test_newest_verified_and_hold_state_come_from_the_audit_database(bk_settings, owner):
    from genims_platform.operations.backup_records import append_documents
    from genims_platform.operations.backup_retention import (
        backup_name,
        newest_verified,
        read_hold_state,
    )
    from genims_platform.operations.documents import DocumentAction

    base = datetime(2020, 1, 1, tzinfo=UTC)
    fake = f"{PREFIX}_bk_fake"
    a, b, c = (backup_name(fake, base + timedelta(days=d)) for d in (1, 2, 3))
    other = backup_name(f"{PREFIX}Xbk_fake", base + timedelta(days=9))

    def act(name, action):
        return DocumentAction(
            container=CONTAINER,
            name=name,
            document_type="BACKUP",
            action=action,
            retention_requirement="test",
            performed_by="pytest",
        )

    append_documents(
        owner,
        [
            act(a, "VERIFIED"),
            act(b, "VERIFY_FAILED"),
            act(c, "VERIFIED"),
            act(c, "VERIFY_FAILED"),
            act(other, "VERIFIED"),
            act(a, "HELD"),
            act(b, "HELD"),
            act(b, "RELEASED"),
        ],
        datetime.now(UTC),
    )
    with owner.connect() as conn:
        assert newest_verified(conn, CONTAINER, fake) == f"{CONTAINER}/{a}"
        held = read_hold_state(conn).held_documents
        assert f"{CONTAINER}/{a}" in held and f"{CONTAINER}/{b}" not in held
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO audit_legal_hold (legal_matter_id, covers_from, placed_by) "
                "VALUES ('bk-test', '2021-06-01', 'pytest')"
            )
            hold_id = cur.lastrowid
        conn.commit()
        state = read_hold_state(conn)
        assert state.holds_audit_backup(datetime(2021, 7, 1, tzinfo=UTC))
        assert not state.holds_audit_backup(datetime(2021, 5, 1, tzinfo=UTC))
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE audit_legal_hold SET released_at = UTC_TIMESTAMP(6) WHERE hold_id = %s",
                (hold_id,),
            )
        conn.commit()
        assert not read_hold_state(conn).holds_audit_backup(datetime(2021, 7, 1, tzinfo=UTC))


@pytest.fixture
def bk_environ(bk_env, monkeypatch):
    """The process environment of the Dagster tests: resources resolve their EnvVars from it."""
    for key in ("MYSQL_REPORTING_DB", "MYSQL_ANALYTICS_DB", "MYSQL_AUDIT_DB"):
        monkeypatch.setenv(key, bk_env[key])
    monkeypatch.setenv("BACKUP_AZURE_CONTAINER", CONTAINER)
    monkeypatch.setenv("AUDIT_DIGEST_CONTAINER", DIGESTS)
    for key in list(os.environ):
        if re.match(r"MYSQL_AUDIT_(INGEST|COMPLIANCE|RETENTION)_", key):
            monkeypatch.delenv(key)
    return os.environ


def _repo_resources():
    from genims_platform.audit.definitions import audit_resources
    from genims_platform.lib.environment import build_resources
    from genims_platform.operations.backup import backup_resources

    return {**build_resources(), **audit_resources(), **backup_resources()}


def _backup_defs(logical: str):
    import dagster as dg

    from genims_platform.operations.backup import CHECK_NAME, backup_definitions, backup_key

    defs = backup_definitions()
    key = backup_key(logical)
    asset = next(a for a in defs.assets if key in a.keys)
    check = next(c for c in defs.asset_checks if dg.AssetCheckKey(key, CHECK_NAME) in c.check_keys)
    return asset, check, key


def _check_evaluation(result, key):
    evaluations = [e for e in result.get_asset_check_evaluations() if e.asset_key == key]
    assert len(evaluations) == 1
    return evaluations[0]


@pytest.mark.parametrize("logical", ["reporting", "audit"])
def test_assets_and_checks_materialise_through_dagster(
    bk_settings, store, owner, bk_environ, logical
):
    import dagster as dg

    asset, check, key = _backup_defs(logical)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [asset, check], resources=_repo_resources(), instance=instance, raise_on_error=False
        )
        assert result.success
        materialization = result.asset_materializations_for_node(asset.op.name)[0]
        meta = materialization.metadata
        name = meta["blob_name"].value
        assert store.info(CONTAINER, name).sha256 == meta["sha256"].value
        live = bs.live_figures(bk_settings.target(logical))
        if logical != "audit":
            assert meta["dagster/row_count"].value == sum(r for r, _ in live.values())
        evaluation = _check_evaluation(result, key)
        assert evaluation.passed, evaluation.description
        assert evaluation.metadata["tables_compared"].value == meta["tables"].value
        assert evaluation.metadata["rows_compared"].value == meta["dagster/row_count"].value
        assert evaluation.metadata["tables_differing"].value == "none"
        assert evaluation.metadata["restore_mb_per_s"].value > 0
        if logical == "audit":
            assert evaluation.metadata["chain_status"].value == "VALID"
            assert evaluation.metadata["digest_status"].value == "VALID"
            return

        # The stored backup is damaged afterwards; the check alone runs again and fails loudly.
        data = store.get(CONTAINER, name)
        info = store.info(CONTAINER, name)
        _upload_raw(bk_settings, name, data[: len(data) - 1000], info.metadata)
        again = dg.materialize(
            [asset, check],
            resources=_repo_resources(),
            instance=instance,
            selection=dg.AssetSelection.checks(check),
            raise_on_error=False,
        )
        assert not again.success
        failed = _check_evaluation(again, key)
        assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
        assert "RESTORE VERIFICATION FAILED" in failed.description
        assert "does not match its SHA-256" in failed.description
        assert failed.metadata["blob"].value == f"{CONTAINER}/{name}"
        assert failed.metadata["scratch_dropped"].value is True
        assert not again.asset_materializations_for_node(asset.op.name)


def _schedule(definitions, name: str):
    return next(s for s in definitions.schedules if s.name == name)


def test_schedule_runs_the_backup_job_at_the_configured_time(monkeypatch):
    import dagster as dg

    from genims_platform.operations.backup import JOB_NAME, SCHEDULE_NAME, backup_definitions

    monkeypatch.delenv("BACKUP_DAILY_TIME", raising=False)
    monkeypatch.delenv("BACKUP_ENABLED", raising=False)
    schedule = _schedule(backup_definitions(), SCHEDULE_NAME)
    assert schedule.cron_schedule == "0 2 * * *" and schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == JOB_NAME
    monkeypatch.setenv("BACKUP_DAILY_TIME", "03:45")
    monkeypatch.setenv("BACKUP_ENABLED", "false")
    changed = _schedule(backup_definitions(), SCHEDULE_NAME)
    assert changed.cron_schedule == "45 3 * * *"
    assert changed.default_status == dg.DefaultScheduleStatus.STOPPED
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 3, 14, 3, 45, tzinfo=UTC)
    )
    requests = changed.evaluate_tick(context).run_requests
    assert len(requests) == 1


def test_the_code_location_schedules_backups_with_their_checks(bk_environ):
    import dagster as dg

    from genims_platform.definitions import defs
    from genims_platform.operations.backup import (
        CHECK_NAME,
        JOB_NAME,
        SCHEDULE_NAME,
        backup_key,
    )

    definitions = defs()
    job = definitions.resolve_job_def(JOB_NAME)
    assert definitions.resolve_schedule_def(SCHEDULE_NAME).job_name == JOB_NAME
    keys = {backup_key(logical) for logical in LOGICALS}
    selected = job.asset_layer.asset_graph
    assert keys <= set(selected.get_all_asset_keys())
    assert {dg.AssetCheckKey(k, CHECK_NAME) for k in keys} <= set(selected.asset_check_keys)
    specs = {s.key: s for s in definitions.resolve_all_asset_specs()}
    for logical in LOGICALS:
        spec = specs[backup_key(logical)]
        assert spec.group_name == "operations" and spec.kinds == {"mysql", "azure"}
        assert len(spec.deps) >= 20


@pytest.fixture
def accounts(bk_settings):
    """Two logins of the reporting database with passwords full of option-file syntax: an
    operator allowed what backups need (its database and the scratch databases), and a
    limited one without the privileges the dump needs for events and triggers."""
    import secrets

    admin = bk_settings.target("reporting")
    database = admin.database
    made = {
        "operator": (f"{PREFIX}_bk_operator", f"Op-{secrets.token_hex(6)}\"\\#' ;=$`x"),
        "limited": (f"{PREFIX}_bk_limited", f"Li-{secrets.token_hex(6)}\"\\#' ;=$`x"),
    }
    pattern = database.replace("_", "\\_") + "%"
    with mysql.connect(admin, database=None, autocommit=True) as conn, conn.cursor() as cur:
        for user, password in made.values():
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
            cur.execute(f"CREATE USER '{user}'@'%%' IDENTIFIED BY %s", (password,))
        cur.execute(f"GRANT ALL PRIVILEGES ON `{pattern}`.* TO '{made['operator'][0]}'@'%'")
        cur.execute(f"GRANT SELECT, LOCK TABLES ON `{database}`.* TO '{made['limited'][0]}'@'%'")
    yield made
    with mysql.connect(admin, database=None, autocommit=True) as conn, conn.cursor() as cur:
        for user, _ in made.values():
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")


def test_secrets_never_reach_metadata_logs_or_errors(
    bk_settings, store, owner, bk_environ, monkeypatch, accounts
):
    import dataclasses

    import dagster as dg

    from genims_platform.operations.backup_dump import (
        BackupError,
        credentials_file,
        dump_command,
        find_tool,
        take_backup,
    )

    user, password = accounts["operator"]
    monkeypatch.setenv("MYSQL_REPORTING_USER", user)
    monkeypatch.setenv("MYSQL_REPORTING_PASSWORD", password)
    asset, check, key = _backup_defs("reporting")
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [asset, check], resources=_repo_resources(), instance=instance, raise_on_error=False
        )
        assert result.success
        assert _check_evaluation(result, key).passed
        records = instance.all_logs(result.run_id)
        texts = [repr(record) for record in records]
    assert len(texts) > 10 and any("blob_name" in t for t in texts)
    assert not any(password in t for t in texts)
    name = result.asset_materializations_for_node(asset.op.name)[0].metadata["blob_name"].value
    for info in store.list(CONTAINER):
        assert password not in info.name
        assert not any(password in v for v in info.metadata.values())
    manifest = store.get(CONTAINER, name.replace(".sql.gz", ".manifest.json")).decode()
    assert password not in manifest
    for row in bs.document_rows(owner, f"{CONTAINER}/{name}"):
        assert password not in json.dumps(row)

    # The tool's command line carries no secret; the option file is private and removed.
    target = dataclasses.replace(bk_settings.target("reporting"), user=user, password=password)
    tool = find_tool("dump")
    with credentials_file(target, tool) as path:
        assert os.stat(path).st_mode & 0o777 == 0o600
        assert os.stat(os.path.dirname(path)).st_mode & 0o777 == 0o700
        command = dump_command(tool, path, target.database)
        assert not any(password in part for part in command)
    assert not os.path.exists(path)

    # A dump that fails (no privilege for events and triggers) says why, without the secret.
    limited_user, limited_password = accounts["limited"]
    limited = dataclasses.replace(target, user=limited_user, password=limited_password)
    with pytest.raises(BackupError) as failure:
        take_backup(
            limited, MemoryBlobStore(), "unused", logical="reporting", policy=_policy(bk_settings)
        )
    message = str(failure.value)
    assert "the dump failed" in message and "denied" in message.lower()
    assert limited_password not in message and password not in message


def _cli(bk_env, *args):
    from click.testing import CliRunner

    from genims_platform.cli import main

    return CliRunner().invoke(main, ["backup", *args], env=bk_env, catch_exceptions=False)


def test_operator_lists_and_restores_a_backup(bk_settings, store, owner, bk_env):
    from genims_platform.operations.backup_retention import backup_name, manifest_name

    reporting = bk_settings.target("reporting")
    restored = f"{PREFIX}_bk_restored"
    bs.drop_databases(reporting, [restored])
    backup = _backup(bk_settings, store, owner, "reporting").backup
    _verify(bk_settings, store, owner, "reporting", backup.name)
    manifest = json.loads(store.get(CONTAINER, backup.manifest))
    expected = {t: (v["rows"], v["checksum"]) for t, v in manifest["tables"].items()}

    listed = _cli(bk_env, "list", "--db", "reporting")
    assert listed.exit_code == 0, listed.output
    line = next(row for row in listed.output.splitlines() if row.endswith(backup.name))
    assert "VERIFIED" in line and str(backup.rows) in line

    today = backup.taken_at.date().isoformat()
    ok = _cli(bk_env, "restore", "--db", "reporting", "--at", today, "--into", restored)
    assert ok.exit_code == 0, ok.output
    assert "SHA-256 verified" in ok.output and "restoring:" in ok.output
    assert "match the backup's manifest" in ok.output
    assert backup.name in ok.output or "taken" in ok.output
    assert bs.live_figures(reporting, restored) == expected

    # Restoring works when the audit database (the creation records) is what was lost.
    lost = {**bk_env, "MYSQL_AUDIT_DB": f"{PREFIX}_bk_lost_audit"}
    bs.drop_databases(reporting, [restored])
    alone = _cli(lost, "restore", "--db", "reporting", "--at", today, "--into", restored)
    assert alone.exit_code == 0, alone.output
    assert "creation record in the audit database was not compared" in alone.output
    assert bs.live_figures(reporting, restored) == expected

    # An existing, non-empty database is refused unless forced.
    refused = _cli(bk_env, "restore", "--db", "reporting", "--at", today, "--into", restored)
    assert refused.exit_code == 1 and "not empty" in refused.output
    forced = _cli(
        bk_env, "restore", "--db", "reporting", "--at", today, "--into", restored, "--force"
    )
    assert forced.exit_code == 0 and "(replaced)" in forced.output
    assert bs.live_figures(reporting, restored) == expected

    # Never over a live database, never into a system schema.
    for name in (reporting.database, bk_settings.target("audit").database, "mysql"):
        denied = _cli(bk_env, "restore", "--db", "reporting", "--at", today, "--into", name)
        assert denied.exit_code == 1 and "refusing" in denied.output, denied.output
    none = _cli(bk_env, "restore", "--db", "reporting", "--at", "2000-01-01", "--into", restored)
    assert none.exit_code == 1 and "no backup of" in none.output

    # A corrupted newest backup is refused before anything is loaded.
    bs.drop_databases(reporting, [restored])
    later = backup.taken_at + timedelta(minutes=5)
    name = backup_name(reporting.database, later)
    data = store.get(CONTAINER, backup.name)
    _upload_raw(
        bk_settings, name, data[:-10] + b"0123456789", store.info(CONTAINER, backup.name).metadata
    )
    store.put(CONTAINER, manifest_name(name), store.get(CONTAINER, backup.manifest))
    try:
        corrupt = _cli(bk_env, "restore", "--db", "reporting", "--at", today, "--into", restored)
    finally:
        store.delete(CONTAINER, name)
        store.delete(CONTAINER, manifest_name(name))
    assert corrupt.exit_code == 1 and "does not match its SHA-256" in corrupt.output
    assert "nothing was restored" in corrupt.output
    assert restored not in bs.schemas(reporting)
    bs.drop_databases(reporting, [restored])


def test_a_machine_without_dump_tools_gets_a_clear_error(tmp_path, monkeypatch):
    from genims_platform.operations.backup_dump import BackupError, find_tool

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="no mariadb-dump or mysqldump found on PATH"):
        find_tool("dump")
    with pytest.raises(BackupError, match="no mysql or mariadb found on PATH"):
        find_tool("client", server_flavor="mysql")


@pytest.mark.parametrize("kind", ["azurite", "memory"])
def test_blob_stores_stream_chunks_and_replace_metadata(bk_settings, kind):
    from genims_platform.lib.blob import BlobImmutableError

    store = (
        AzureBlobStore(bk_settings.azure_connection_string)
        if kind == "azurite"
        else MemoryBlobStore()
    )
    store.ensure_container(CONTAINER)
    data = os.urandom(9 << 20)
    store.put(CONTAINER, "chunks/blob.bin", data, metadata={"a": "1"})
    chunks = list(store.read_chunks(CONTAINER, "chunks/blob.bin"))
    assert len(chunks) > 1 and b"".join(chunks) == data
    store.set_metadata(CONTAINER, "chunks/blob.bin", {"b": "2"})
    assert store.info(CONTAINER, "chunks/blob.bin").metadata == {"b": "2"}
    if kind == "memory":
        store.set_immutability(CONTAINER, "chunks/blob.bin", datetime.now(UTC) + timedelta(days=1))
        with pytest.raises(BlobImmutableError):
            store.set_metadata(CONTAINER, "chunks/blob.bin", {"c": "3"})
    else:
        store.delete(CONTAINER, "chunks/blob.bin")
