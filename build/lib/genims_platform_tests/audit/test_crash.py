"""Crash and restart at each step: nothing lost, nothing duplicated after the rerun, clear
errors, and the other sources keep flowing. Also a restored source database (new identity)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid

import pytest
from psycopg import sql

from genims_platform.audit.ingest import ingest_batch, ingest_source
from genims_platform.lib import mysql, pg
from genims_platform.lib.resources import dispose_pools
from genims_platform_tests.audit.conftest import (
    audited_ids,
    insert_setting,
    outbox_ids,
    settle,
    source,
)

pytestmark = pytest.mark.integration

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from genims_platform.settings import load_settings
    from genims_platform.audit.ingest import audit_database, ingest_batch, source_resource

    settings = load_settings()
    logical, when = sys.argv[1], sys.argv[2]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    db = audit_database(settings, role="ingest")
    ingest_batch(source_resource(settings, logical), db, logical, batch_size=3,
                 before_commit=die if when == "before_commit" else None)
    if when == "after_commit":
        die()  # killed after the MySQL commit, before the run could report anything
    """
)


def _killed_run(logical: str, when: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, logical, when],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.returncode


@pytest.mark.parametrize("when", ["before_commit", "after_commit"])
def test_a_killed_run_loses_and_duplicates_nothing(audit_settings, owner, ingest_db, when):
    settings = audit_settings
    settle(settings, owner, ingest_db, "quality")
    for _ in range(7):
        insert_setting(settings, "quality", f"kill-{uuid.uuid4().hex[:8]}")
    before = len(audited_ids(owner, "quality"))
    assert _killed_run("quality", when) == -9
    after_kill = len(audited_ids(owner, "quality"))
    if when == "before_commit":
        assert after_kill == before  # the server rolled the open transaction back
    settle(settings, owner, ingest_db, "quality")
    ids = audited_ids(owner, "quality")
    assert len(ids) == len(set(ids))


def test_mysql_connection_lost_mid_batch(audit_settings, owner, ingest_db):
    settings = audit_settings
    settle(settings, owner, ingest_db, "maintenance")
    for _ in range(5):
        insert_setting(settings, "maintenance", f"lost-{uuid.uuid4().hex[:8]}")
    before = len(audited_ids(owner, "maintenance"))
    pending = outbox_ids(settings, "maintenance")

    def kill_my_connection() -> None:
        with ingest_db.connect() as probe, probe.cursor() as cur:
            cur.execute(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s "
                "AND INFO IS NULL AND COMMAND = 'Sleep' AND ID <> CONNECTION_ID()",
                (ingest_db.user,),
            )
            ids = [r[0] for r in cur.fetchall()]
        with mysql.connect(settings.target("audit"), autocommit=True) as admin:
            with admin.cursor() as cur:
                for connection_id in ids:
                    cur.execute(f"KILL CONNECTION {int(connection_id)}")

    import time

    deadline = time.monotonic() + 60
    caught = None
    while caught is None:  # wait until the new events are below the shared horizon
        try:
            read, _ = ingest_batch(
                source(settings, "maintenance"),
                ingest_db,
                "maintenance",
                before_commit=kill_my_connection,
            )
        except Exception as error:
            caught = error
            break
        assert read == 0, "the batch committed although its connection was killed"
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert (
        "Lost connection" in str(caught)
        or "gone away" in str(caught)
        or (caught.args and caught.args[0] in (2006, 2013, 1927))
    )
    assert len(audited_ids(owner, "maintenance")) == before
    dispose_pools()
    settle(settings, owner, ingest_db, "maintenance")
    ids = audited_ids(owner, "maintenance")
    assert len(ids) == len(set(ids)) and set(pending) <= set(ids)


def test_unreachable_mysql_gives_a_clear_error(audit_settings):
    from genims_platform.audit.ingest import audit_database

    db = audit_database(audit_settings, role="ingest").model_copy(update={"port": 1})
    result = ingest_source(source(audit_settings, "tms"), db, "tms")
    assert result.error is not None
    assert "cannot connect to MySQL" in result.error and "MYSQL_AUDIT_HOST" in result.error
    assert audit_settings.audit.ingest.password not in result.error


def test_a_stopped_source_does_not_stop_the_others(audit_settings, owner, ingest_db):
    settings = audit_settings
    settle(settings, owner, ingest_db, "wms")
    insert_setting(settings, "wms", f"down-{uuid.uuid4().hex[:8]}")
    insert_setting(settings, "manufacturing", f"up-{uuid.uuid4().hex[:8]}")
    down = source(settings, "wms").model_copy(update={"port": 1})
    result = ingest_source(down, ingest_db, "wms")
    assert result.error and "(source 'wms')" in result.error and "PG_MASTER_HOST" in result.error
    settle(settings, owner, ingest_db, "manufacturing")  # the others keep flowing
    settle(settings, owner, ingest_db, "wms")  # and the stopped one catches up, once
    ids = audited_ids(owner, "wms")
    assert len(ids) == len(set(ids))


def test_a_restored_source_starts_a_new_generation_without_duplicates(
    audit_settings, owner, ingest_db
):
    """Restore the tms database from an older copy: events audited before the copy are
    recognised, event ids reused after the restore are audited under the new generation."""
    settings = audit_settings
    name = settings.source_db("tms")
    backup = f"{name}_bak"
    settle(settings, owner, ingest_db, "tms")
    dispose_pools()
    pg.drop_database(settings.pg_primary, backup)
    with pg.connect(settings.pg_primary, "postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(backup), sql.Identifier(name)
            )
        )
    lost = [f"lost-{i}-{uuid.uuid4().hex[:6]}" for i in range(3)]
    for key in lost:
        insert_setting(settings, "tms", key)
    settle(settings, owner, ingest_db, "tms")
    generation = owner.scalar("SELECT source_generation FROM audit_ingest_cursor WHERE feed='tms'")
    audited_before = set(audited_ids(owner, "tms"))
    dispose_pools()
    with pg.connect(settings.pg_primary, "postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(backup), sql.Identifier(name)
            )
        )
    fresh = [f"after-{i}-{uuid.uuid4().hex[:6]}" for i in range(4)]
    for key in fresh:
        insert_setting(settings, "tms", key)
    settle(settings, owner, ingest_db, "tms")
    new_generation = owner.scalar(
        "SELECT source_generation FROM audit_ingest_cursor WHERE feed='tms'"
    )
    assert new_generation == generation + 1
    in_new = owner.query(
        "SELECT source_event_id, entity_id FROM system_audit_log WHERE source_db = 'tms' "
        "AND source_generation = %s AND source_event_id > 0",
        (new_generation,),
    )
    keys = {r[1] for r in in_new}
    assert set(fresh) <= keys  # the new events, some with ids the lost ones had
    assert not keys & set(lost)
    reused = {r[0] for r in in_new} & audited_before
    assert reused, "the restore should have reused event ids of the lost events"
    assert len(in_new) == len(fresh)  # everything restored was recognised, not re-audited
    identity = owner.query(
        "SELECT severity, details FROM security_event_log WHERE source_db = 'tms' "
        "AND event_type = 'SOURCE_IDENTITY_CHANGED' AND source_generation = %s",
        (new_generation,),
    )
    assert identity and identity[0][0] == "HIGH"
