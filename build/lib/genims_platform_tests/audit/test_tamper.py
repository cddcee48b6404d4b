"""Tamper evidence: every kind of tampering by someone with DBA rights (who drops the
append-only triggers first) is detected and reported; a consistent rewrite only by the exported
digest. Digests go to Azurite through the real blob implementation; WORM behaviour is checked on
the in-memory fake."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from genims_platform.audit import verify
from genims_platform.audit.canonical import row_hash
from genims_platform.audit.chain import CHAIN_COLUMNS
from genims_platform.audit.security import install_triggers
from genims_platform.lib.blob import AzureBlobStore, BlobImmutableError, MemoryBlobStore
from genims_platform_tests.audit.conftest import drain, insert_setting, root_connection

pytestmark = pytest.mark.integration

TABLE = "system_audit_log"
STREAM = "system_audit_log/service"


@pytest.fixture(scope="module")
def stream(audit_settings, ingest_db):
    """A stream with at least 8 rows (service module settings)."""
    for _ in range(8):
        insert_setting(audit_settings, "service", f"tamper-{uuid.uuid4().hex[:8]}")
    drain(audit_settings, ingest_db, ["service"])
    return STREAM


@contextmanager
def attacker(settings):
    """A DBA session without the append-only triggers; puts them back afterwards."""
    with root_connection(settings) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
            "WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = %s",
            (TABLE,),
        )
        for (name,) in cur.fetchall():
            cur.execute(f"DROP TRIGGER `{name}`")
        try:
            yield cur
        finally:
            install_triggers(cur, settings.target("audit").database)


def _rows(cur, stream_id):
    cur.execute(f"SELECT * FROM {TABLE} WHERE stream_id = %s ORDER BY stream_seq", (stream_id,))
    names = [d[0] for d in cur.description]
    return names, [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _stored(cur) -> list[str]:
    return [*CHAIN_COLUMNS, *verify.stored_columns(cur, TABLE)]


def _restore(cur, stream_id, rows) -> None:
    columns = _stored(cur)
    cur.execute(f"DELETE FROM {TABLE} WHERE stream_id = %s", (stream_id,))
    marks = ", ".join(["%s"] * len(columns))
    cur.executemany(
        f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({marks})",
        [tuple(r[c] for c in columns) for r in rows],
    )


def _problems(owner) -> list[str]:
    with owner.connect() as conn:
        report = verify.verify_all(conn, tables=[TABLE])
    return [p for s in report.streams if s.stream_id == STREAM for p in s.problems]


def test_untampered_stream_verifies(owner, stream):
    assert _problems(owner) == []


def test_editing_one_byte_of_the_payload_is_detected(audit_settings, owner, stream):
    with attacker(audit_settings) as cur:
        _, rows = _rows(cur, stream)
        victim = rows[3]
        payload = victim["canonical_payload"]
        forged = payload.replace('"SUCCESS"', '"SUCCESX"', 1)
        assert forged != payload
        cur.execute(
            f"UPDATE {TABLE} SET canonical_payload = %s WHERE stream_id = %s AND stream_seq = %s",
            (forged, stream, victim["stream_seq"]),
        )
        problems = _problems(owner)
        _restore(cur, stream, rows)
    assert any(f"seq {victim['stream_seq']} does not match its hash" in p for p in problems)
    assert _problems(owner) == []


def test_editing_a_column_outside_the_payload_is_detected(audit_settings, owner, stream):
    with attacker(audit_settings) as cur:
        _, rows = _rows(cur, stream)
        victim = rows[2]
        cur.execute(
            f"UPDATE {TABLE} SET user_id = 'someone-else' WHERE stream_id = %s AND stream_seq = %s",
            (stream, victim["stream_seq"]),
        )
        problems = _problems(owner)
        _restore(cur, stream, rows)
    assert any("column user_id differs from the hashed payload" in p for p in problems)


def test_deleting_a_row_is_detected(audit_settings, owner, stream):
    with attacker(audit_settings) as cur:
        _, rows = _rows(cur, stream)
        cur.execute(
            f"DELETE FROM {TABLE} WHERE stream_id = %s AND stream_seq = %s",
            (stream, rows[4]["stream_seq"]),
        )
        problems = _problems(owner)
        _restore(cur, stream, rows)
    assert any("missing" in p for p in problems)
    assert any("does not link" in p for p in problems)


def test_reordering_two_rows_is_detected(audit_settings, owner, stream):
    with attacker(audit_settings) as cur:
        _, rows = _rows(cur, stream)
        a, b = rows[1], rows[2]
        columns = [c for c in _stored(cur) if c not in ("stream_id", "stream_seq")]
        cur.execute(
            f"DELETE FROM {TABLE} WHERE stream_id = %s AND stream_seq IN (%s, %s)",
            (stream, a["stream_seq"], b["stream_seq"]),
        )
        marks = ", ".join(["%s"] * (len(columns) + 2))
        for row, seq in ((a, b["stream_seq"]), (b, a["stream_seq"])):
            cur.execute(
                f"INSERT INTO {TABLE} (stream_id, stream_seq, {', '.join(columns)}) "
                f"VALUES ({marks})",
                (stream, seq, *(row[c] for c in columns)),
            )
        problems = _problems(owner)
        _restore(cur, stream, rows)
    assert any("does not match its hash" in p for p in problems)
    assert any("does not link" in p for p in problems)


def test_truncating_the_tail_is_detected(audit_settings, owner, stream):
    with attacker(audit_settings) as cur:
        _, rows = _rows(cur, stream)
        cur.execute(
            f"DELETE FROM {TABLE} WHERE stream_id = %s AND stream_seq > %s",
            (stream, rows[-3]["stream_seq"]),
        )
        problems = _problems(owner)
        _restore(cur, stream, rows)
    assert any("tail truncated" in p for p in problems)


def _rewrite_consistently(cur, stream, rows, from_index: int) -> None:
    """What an attacker with DBA rights can do: change a row and recompute every later hash
    and the chain head, so the chain verifies on its own."""
    previous = rows[from_index - 1]["hash_sha256"]
    for i, row in enumerate(rows[from_index:], start=from_index):
        payload = row["canonical_payload"]
        if i == from_index:
            payload = payload.replace('"SUCCESS"', '"FORGED!"', 1)
        digest = row_hash(stream, row["stream_seq"], previous, payload)
        cur.execute(
            f"UPDATE {TABLE} SET canonical_payload = %s, previous_hash_sha256 = %s, "
            "hash_sha256 = %s, status = %s WHERE stream_id = %s AND stream_seq = %s",
            (
                payload,
                previous,
                digest,
                "FORGED!" if i == from_index else row["status"],
                stream,
                row["stream_seq"],
            ),
        )
        previous = digest
    cur.execute(
        "UPDATE audit_chain_head SET last_hash = %s WHERE stream_id = %s", (previous, stream)
    )


def test_consistent_rewrite_is_caught_only_by_the_exported_digest(audit_settings, owner, stream):
    store = AzureBlobStore(audit_settings.azure_connection_string)
    container = f"gt-au-digests-{uuid.uuid4().hex[:8]}"
    database = audit_settings.target("audit").database
    with owner.connect() as conn:
        exported = verify.export_digest(conn, store, container, database)
        assert exported.status == "VALID"
        assert store.info(container, exported.digest_location.split("/", 1)[1]).sha256 == (
            exported.digest_sha256
        )
        before = verify.verify_digests(conn, store, container, database)
    assert before.status == "VALID", before.all_problems
    with attacker(audit_settings) as cur:
        _, rows = _rows(cur, stream)
        cur.execute("SELECT last_hash FROM audit_chain_head WHERE stream_id = %s", (stream,))
        head = cur.fetchone()[0]
        _rewrite_consistently(cur, stream, rows, 2)
        chain_problems = _problems(owner)
        with owner.connect() as conn:
            after = verify.verify_digests(conn, store, container, database)
        _restore(cur, stream, rows)
        cur.execute(
            "UPDATE audit_chain_head SET last_hash = %s WHERE stream_id = %s", (head, stream)
        )
    assert chain_problems == []  # the chain itself is consistent again ...
    assert after.status == "TAMPERED"  # ... but not what the digest recorded
    assert any(stream in p and "rewritten" in p for p in after.all_problems)
    with owner.connect() as conn:
        verify.record(conn, after, verified_by="pytest")
    recorded = owner.query(
        "SELECT verification_status, problems FROM audit_trail_integrity "
        "WHERE verification_type = 'DIGEST_CHECK' ORDER BY created_at DESC, stream_seq DESC "
        "LIMIT 1"
    )[0]
    assert recorded[0] == "TAMPERED" and stream in recorded[1]


def test_digests_are_write_once_on_worm_storage(owner, audit_settings):
    store = MemoryBlobStore()
    database = audit_settings.target("audit").database
    with owner.connect() as conn:
        exported = verify.export_digest(conn, store, "digests", database)
    name = exported.digest_location.split("/", 1)[1]
    store.set_immutability("digests", name, datetime.now(UTC) + timedelta(days=2555))
    with pytest.raises(BlobImmutableError):
        store.delete("digests", name)
    with pytest.raises(BlobImmutableError):
        store.put("digests", name, b"{}", overwrite=True)
    store.set_legal_hold("digests", name, True)
    with pytest.raises(BlobImmutableError):
        store.set_immutability("digests", name, datetime.now(UTC))
    assert store.get("digests", name).startswith(b'{"created_at"')
