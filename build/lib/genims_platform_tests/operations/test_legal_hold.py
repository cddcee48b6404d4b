"""Legal holds: placed and released through the CLI and the Dagster job as the owner account,
recorded (chained) in legal_hold_records and enforced from audit_legal_hold; bad requests are
refused with a clear message and change nothing; stored archives and backups follow the holds
(enforced by the in-memory store, recorded as not enforced on Azurite)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, time, timedelta

import dagster as dg
import pymysql
import pytest
from click.testing import CliRunner

from genims_platform.audit import verify
from genims_platform.audit.events import SECURITY
from genims_platform.cli import main
from genims_platform.lib.blob import AzureBlobStore, BlobImmutableError, MemoryBlobStore
from genims_platform.operations.legal_holds import (
    HoldRequest,
    HoldTargets,
    LegalHoldError,
    place_hold,
    read_holds,
    release_holds,
    sync_blob_holds,
)
from genims_platform.operations.retention import (
    LegalHoldConfig,
    RetentionOptions,
    RetentionRequest,
    _legal_hold_asset,
    dedicated_connection,
    run_retention,
)
from genims_platform_tests.operations.conftest import rt_append_events

pytestmark = pytest.mark.integration

ACCESS_DENIED = 1142


def _old(days: int = 0) -> datetime:
    day = (datetime.now(UTC) - timedelta(days=2555 + 400 + days)).date()
    return datetime.combine(day, time(12))


def _stream(tag: str) -> str:
    return f"{SECURITY}/rt{tag}{uuid.uuid4().hex[:8]}"


def _invoke(env: dict, args: list[str]):
    return CliRunner().invoke(main, args, env=env)


@pytest.fixture
def cli_env(rt_env, rt_settings) -> dict[str, str]:
    return {
        **rt_env,
        "AUDIT_ARCHIVE_CONTAINER": f"gt-rt-cli-archive-{uuid.uuid4().hex[:6]}",
        "BACKUP_AZURE_CONTAINER": f"gt-rt-cli-backups-{uuid.uuid4().hex[:6]}",
    }


def _release_all(owner) -> None:
    with dedicated_connection(owner) as conn:
        with conn.cursor() as cur:
            active = [h.hold_id for h in read_holds(cur)]
        conn.commit()
        if active:
            release_holds(conn, hold_ids=active, reason="test isolation", performed_by="pytest")


def _count(db, sql: str, params=()) -> int:
    return int(db.scalar(sql, params))


def test_cli_places_lists_and_releases_a_hold(cli_env, rt_owner):
    stream = _stream("cli")
    rt_append_events(rt_owner, stream, [_old(2), _old(1)])
    placed = _invoke(
        cli_env,
        [
            "legal-hold", "place", "--matter", "M-2031", "--case", "Acme v. GenIMS",
            "--reason", "subpoena", "--stream", stream, "--from", "2000-01-01",
            "--to", "2030-12-31", "--expires", "2031-06-30", "--operator", "counsel",
        ],
    )  # fmt: skip
    assert placed.exit_code == 0, placed.output
    hold_id = int(re.search(r"placed hold (\d+) \(M-2031\)", placed.output).group(1))
    row = rt_owner.query(
        "SELECT legal_matter_id, table_name, stream_id, covers_from, covers_to, hold_reason, "
        "placed_by, released_at FROM audit_legal_hold WHERE hold_id = %s",
        (hold_id,),
    )
    assert row == [
        (
            "M-2031",
            SECURITY,
            stream,
            datetime(2000, 1, 1),
            datetime(2030, 12, 31, 23, 59, 59, 999999),
            "subpoena",
            "counsel (genims legal-hold)",
            None,
        )
    ]
    record = rt_owner.query(
        "SELECT action, case_name, legal_matter_id, hold_expiration_date, released_date, "
        "affected_entities FROM legal_hold_records WHERE hold_id = %s",
        (hold_id,),
    )
    assert [r[:5] for r in record] == [
        ("PLACED", "Acme v. GenIMS", "M-2031", datetime(2031, 6, 30).date(), None)
    ]
    affected = json.loads(record[0][5])
    assert (affected["table"], affected["stream"], affected["rows_covered"]) == (
        SECURITY,
        stream,
        2,
    )

    listed = _invoke(cli_env, ["legal-hold", "list"])
    assert listed.exit_code == 0
    line = next(x for x in listed.output.splitlines() if f"hold {hold_id} " in x)
    assert "active" in line and "case Acme v. GenIMS" in line and "2 rows covered" in line

    released = _invoke(cli_env, ["legal-hold", "release", str(hold_id), "--reason", "settled"])
    assert released.exit_code == 0, released.output
    assert f"released hold {hold_id}" in released.output
    assert rt_owner.scalar(
        "SELECT released_at IS NOT NULL FROM audit_legal_hold WHERE hold_id = %s", (hold_id,)
    )
    actions = rt_owner.query(
        "SELECT action, released_date IS NOT NULL, release_reason FROM legal_hold_records "
        "WHERE hold_id = %s ORDER BY stream_seq",
        (hold_id,),
    )
    assert actions == [("PLACED", 0, None), ("RELEASED", 1, "settled")]
    everything = _invoke(cli_env, ["legal-hold", "list", "--all"])
    assert f"hold {hold_id} " in everything.output and "released" in everything.output
    with rt_owner.connect() as conn:
        report = verify.verify_all(conn, tables=["legal_hold_records"])
    assert report.status == "VALID" and report.rows >= 2
    for secret in (v for k, v in cli_env.items() if k.endswith("_PASSWORD") and v):
        assert secret not in placed.output + released.output + everything.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--table", "no_such_table"], "unknown audit table(s) no_such_table"),
        (["--stream", f"{SECURITY}/nowhere"], f"unknown audit stream(s) {SECURITY}/nowhere"),
        (["--from", "2020-02-01", "--to", "2020-01-01"], "is after covers_to"),
        (["--from", "yesterday"], "covers_from must be YYYY-MM-DD"),
    ],
)
def test_cli_refuses_bad_holds_and_changes_nothing(cli_env, rt_owner, args, message):
    holds = _count(rt_owner, "SELECT COUNT(*) FROM audit_legal_hold")
    records = _count(rt_owner, "SELECT COUNT(*) FROM legal_hold_records")
    result = _invoke(
        cli_env,
        ["legal-hold", "place", "--matter", "M-1", "--case", "C", "--reason", "r", *args],
    )
    assert result.exit_code == 1
    assert message in result.output
    assert _count(rt_owner, "SELECT COUNT(*) FROM audit_legal_hold") == holds
    assert _count(rt_owner, "SELECT COUNT(*) FROM legal_hold_records") == records


def test_cli_refuses_to_release_unknown_or_released_holds(cli_env, rt_owner):
    unknown = _invoke(cli_env, ["legal-hold", "release", "987654321", "--reason", "x"])
    assert unknown.exit_code == 1 and "no legal hold with id 987654321" in unknown.output
    with dedicated_connection(rt_owner) as conn:
        (hold,) = place_hold(
            conn,
            HoldRequest("M-9", "Case nine", "audit", tables=(SECURITY,)),
            performed_by="pytest",
        )
    first = _invoke(cli_env, ["legal-hold", "release", str(hold.hold_id), "--reason", "done"])
    assert first.exit_code == 0, first.output
    again = _invoke(cli_env, ["legal-hold", "release", str(hold.hold_id), "--reason", "done"])
    assert again.exit_code == 1 and f"already released: hold {hold.hold_id}" in again.output
    nothing = _invoke(cli_env, ["legal-hold", "release", "--reason", "x"])
    assert nothing.exit_code == 1 and "name the hold id(s) to release" in nothing.output


def test_retention_cli_dry_run_and_bad_table(cli_env, rt_owner):
    stream = _stream("clidry")
    rt_append_events(rt_owner, stream, [_old(3)])
    dry = _invoke(
        cli_env, ["retention", "run", "--dry-run", "--only", "audit", "--table", SECURITY]
    )
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("dry run (nothing changed): run cli-")
    assert re.search(rf"audit\s+{SECURITY}\s+\[\S+, \S+\) DRY_RUN", dry.output)
    assert _count(rt_owner, f"SELECT COUNT(*) FROM {SECURITY} WHERE stream_id = %s", (stream,)) == 1
    bad = _invoke(cli_env, ["retention", "run", "--dry-run", "--table", "no_such_table"])
    assert bad.exit_code == 1 and "unknown table(s) no_such_table" in bad.output


def test_only_the_owner_places_holds(rt_settings, rt_owner, rt_retention_db):
    from genims_platform.audit.ingest import audit_database

    before = _count(rt_owner, "SELECT COUNT(*) FROM audit_legal_hold")
    for role in ("ingest", "retention"):
        db = audit_database(rt_settings, role=role)
        assert db.user != rt_owner.user
        with dedicated_connection(db) as conn, pytest.raises(pymysql.err.MySQLError) as caught:
            place_hold(
                conn, HoldRequest("M-x", "C", "r", tables=(SECURITY,)), performed_by="pytest"
            )
        assert caught.value.args[0] == ACCESS_DENIED
    assert _count(rt_owner, "SELECT COUNT(*) FROM audit_legal_hold") == before
    with dedicated_connection(rt_retention_db) as conn, conn.cursor() as cur:
        with pytest.raises(pymysql.err.MySQLError) as caught:
            cur.execute("UPDATE audit_legal_hold SET released_at = UTC_TIMESTAMP(6)")
        assert caught.value.args[0] == ACCESS_DENIED


def _materialize_hold(owner, options: RetentionOptions, config: LegalHoldConfig):
    asset = _legal_hold_asset(owner.database)
    return dg.materialize(
        [asset],
        resources={"mysql_audit": owner, "retention_options": options},
        run_config=dg.RunConfig(ops={asset.op.name: config}),
        raise_on_error=False,
    )


def test_legal_hold_job_places_and_releases(rt_owner, rt_settings):
    options = RetentionOptions(
        connection_string=rt_settings.azure_connection_string,
        archive_container=f"gt-rt-job-archive-{uuid.uuid4().hex[:6]}",
        backup_container=f"gt-rt-job-backups-{uuid.uuid4().hex[:6]}",
    )
    placed = _materialize_hold(
        rt_owner,
        options,
        LegalHoldConfig(
            action="place",
            legal_matter_id="M-JOB",
            case_name="Job case",
            tables=[SECURITY, "data_change_audit"],
            covers_to="2019-12-31",
            reason="regulator request",
            operator="counsel",
        ),
    )
    assert placed.success
    (materialization,) = placed.asset_materializations_for_node(
        _legal_hold_asset(rt_owner.database).op.name
    )
    ids = [int(x) for x in materialization.metadata["hold_ids"].value.split(", ")]
    assert len(ids) == 2
    rows = rt_owner.query(
        "SELECT hold_id, table_name, covers_to, placed_by FROM audit_legal_hold "
        "WHERE hold_id IN (%s, %s) ORDER BY hold_id",
        ids,
    )
    assert [(r[1], r[2]) for r in rows] == [
        (SECURITY, datetime(2019, 12, 31, 23, 59, 59, 999999)),
        ("data_change_audit", datetime(2019, 12, 31, 23, 59, 59, 999999)),
    ]
    assert all(r[3] == f"counsel (run {placed.run_id})" for r in rows)

    bad = _materialize_hold(
        rt_owner,
        options,
        LegalHoldConfig(
            action="place",
            legal_matter_id="M-BAD",
            case_name="Bad",
            covers_from="2021-01-01",
            covers_to="2020-01-01",
            reason="r",
        ),
    )
    assert not bad.success
    failure = bad.failure_data_for_node(_legal_hold_asset(rt_owner.database).op.name)
    assert "is after covers_to" in failure.user_failure_data.description

    released = _materialize_hold(
        rt_owner,
        options,
        LegalHoldConfig(action="release", legal_matter_id="M-JOB", reason="closed"),
    )
    assert released.success
    assert rt_owner.query(
        "SELECT COUNT(*) FROM audit_legal_hold WHERE legal_matter_id = 'M-JOB' "
        "AND released_at IS NULL"
    ) == [(0,)]
    assert rt_owner.query(
        "SELECT action, COUNT(*) FROM legal_hold_records WHERE legal_matter_id = 'M-JOB' "
        "GROUP BY action ORDER BY action"
    ) == [("PLACED", 2), ("RELEASED", 2)]


def _documents(db, location: str) -> list[tuple]:
    return db.query(
        "SELECT action, details FROM document_retention_log WHERE document_id = %s "
        "AND action IN ('HELD', 'RELEASED') ORDER BY stream_seq",
        (location,),
    )


def test_archives_and_backups_follow_the_holds(rt_owner, rt_retention_db):
    _release_all(rt_owner)
    database = rt_owner.database
    clock = [datetime(2026, 3, 1, 2, 0, tzinfo=UTC)]
    store = MemoryBlobStore(clock=lambda: clock[0])
    targets = HoldTargets(database, "gt-rt-hold-archive", "gt-rt-hold-backups")
    stream = _stream("blob")
    created = _old(5)
    rt_append_events(rt_owner, stream, [created])
    run = run_retention(
        rt_retention_db,
        None,
        store,
        chunk_rows=100,
        reporting_months=12,
        archive_container=targets.archive_container,
        backup_container=targets.backup_container,
        request=RetentionRequest(targets=("audit",), tables=(SECURITY,)),
        run_id=f"test-{uuid.uuid4().hex[:8]}",
        performed_by="pytest",
        streams=lambda s: s == stream,
    )
    (archive,) = [a.archive_location for a in run.actions if a.status == "ARCHIVED"]
    store.ensure_container(targets.backup_container)
    backups = {}
    for n, day in enumerate((2, 3, 4, 5, 6), start=1):
        clock[0] = datetime(2026, 3, day, 2, 0, tzinfo=UTC)
        stem = f"{database}/2026/03/0{day}/{database}-202603{day:02d}T020000Z"
        names = [f"{stem}.sql.gz"] + ([f"{stem}.manifest.json"] if n == 1 else [])
        for name in names:
            store.put(targets.backup_container, name, f"dump {n}".encode())
        backups[n] = names

    with dedicated_connection(rt_owner) as conn:
        (old_rows,) = place_hold(
            conn,
            HoldRequest(
                "M-A",
                "Archive case",
                "audit",
                streams=(stream,),
                covers_from=created - timedelta(hours=1),
                covers_to=created + timedelta(hours=1),
            ),
            performed_by="pytest",
        )
        (recent,) = place_hold(
            conn,
            HoldRequest(
                "M-B",
                "Backup case",
                "audit",
                covers_from=datetime(2026, 3, 3, 1, 0),
                covers_to=datetime(2026, 3, 4, 3, 0),
            ),
            performed_by="pytest",
        )
        synced = sync_blob_holds(conn, store, targets, performed_by="pytest")
    held_backups = [f"{targets.backup_container}/{n}" for k in (1, 2, 3, 4) for n in backups[k]]
    assert sorted(synced.held) == sorted([archive, *held_backups])
    assert synced.not_enforced == []
    for location in [archive, *held_backups]:
        container, _, name = location.partition("/")
        with pytest.raises(BlobImmutableError):
            store.delete(container, name)
    store.delete(targets.backup_container, backups[5][0])  # after every held period
    (held_row,) = _documents(rt_owner, archive)
    assert held_row[0] == "HELD"
    assert json.loads(held_row[1]) == {"enforced": True, "hold_ids": [old_rows.hold_id]}

    with dedicated_connection(rt_owner) as conn:
        release_holds(conn, hold_ids=[recent.hold_id], reason="done", performed_by="pytest")
        synced = sync_blob_holds(conn, store, targets, performed_by="pytest")
    assert sorted(synced.released) == sorted(
        f"{targets.backup_container}/{n}" for k in (2, 3, 4) for n in backups[k]
    )
    for k in (2, 3, 4):
        store.delete(targets.backup_container, backups[k][0])
    with pytest.raises(BlobImmutableError):
        store.delete(targets.backup_container, backups[1][0])
    with dedicated_connection(rt_owner) as conn:
        release_holds(conn, hold_ids=[old_rows.hold_id], reason="done", performed_by="pytest")
        synced = sync_blob_holds(conn, store, targets, performed_by="pytest")
    assert sorted(synced.released) == sorted(
        [archive, *(f"{targets.backup_container}/{n}" for n in backups[1])]
    )
    container, _, name = archive.partition("/")
    store.delete(container, name)
    assert [a for a, _ in _documents(rt_owner, archive)] == ["HELD", "RELEASED"]


def test_azurite_blob_holds_are_recorded_as_not_enforced(rt_owner, rt_settings):
    _release_all(rt_owner)
    store = AzureBlobStore(rt_settings.azure_connection_string)
    database = rt_owner.database
    targets = HoldTargets(
        database,
        f"gt-rt-az-archive-{uuid.uuid4().hex[:6]}",
        f"gt-rt-az-backups-{uuid.uuid4().hex[:6]}",
    )
    store.ensure_container(targets.backup_container)
    name = f"{database}/2026/03/01/{database}-20260301T020000Z.sql.gz"
    store.put(targets.backup_container, name, b"dump")
    with dedicated_connection(rt_owner) as conn:
        (hold,) = place_hold(
            conn, HoldRequest("M-AZ", "Azurite", "audit", tables=(SECURITY,)), performed_by="pytest"
        )
        synced = sync_blob_holds(conn, store, targets, performed_by="pytest")
        location = f"{targets.backup_container}/{name}"
        assert synced.not_enforced == [location] and synced.held == []
        release_holds(conn, hold_ids=[hold.hold_id], reason="done", performed_by="pytest")
        sync_blob_holds(conn, store, targets, performed_by="pytest")
    rows = _documents(rt_owner, location)
    assert [r[0] for r in rows] == ["HELD", "RELEASED"]
    details = json.loads(rows[0][1])
    assert details["enforced"] is False and "not implemented" in details["error"]
    store.delete(targets.backup_container, name)  # nothing enforced it


def test_hold_request_validation_names_the_problem():
    with pytest.raises(LegalHoldError, match="legal_matter_id is required"):
        HoldRequest(" ", "c", "r").check()
    with pytest.raises(LegalHoldError, match="a reason is required"):
        HoldRequest("m", "c", "").check()
