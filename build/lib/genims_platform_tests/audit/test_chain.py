"""Canonical bytes, the row hash, and the builder's chained write mode `AppendVersions`."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import pymysql
import pytest

from genims_platform.audit import verify
from genims_platform.audit.canonical import (
    CanonicalError,
    canonical_json,
    loads_exact,
    row_hash,
)
from genims_platform.audit.chain import VERSION_COLUMNS, AppendVersions
from genims_platform.audit.security import install_triggers
from genims_platform.lib.loader import StagedLoad
from genims_platform.lib.schema import Column, TableSchema


def test_canonical_json_is_stable_and_exact():
    row = {
        "b": Decimal("12.50"),
        "a": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "c": date(2026, 1, 2),
        "d": None,
        "e": "ünïcödé",
        "f": {"z": 1, "y": loads_exact('{"n": 12.50, "m": [1, 2.0]}')},
    }
    text = canonical_json(row)
    assert text == (
        '{"a":"2026-01-02T03:04:05.000000Z","b":"12.50","c":"2026-01-02","d":null,'
        '"e":"ünïcödé","f":{"y":{"m":[1,"2.0"],"n":"12.50"},"z":1}}'
    )
    assert canonical_json(dict(reversed(list(row.items())))) == text
    with pytest.raises(CanonicalError):
        canonical_json({"x": 1.5})


def test_row_hash_matches_the_documented_formula():
    payload = '{"a":1}'
    expected = hashlib.sha256(b"genims-audit-v1\ns/x\n7\n" + b"0" * 64 + b"\n" + b'{"a":1}')
    assert row_hash("s/x", 7, "0" * 64, payload) == expected.hexdigest()


TABLE = "zz_append_versions_test"
DDL = f"""
CREATE TABLE {TABLE} (
    claim_id BIGINT NOT NULL,
    record_version INT UNSIGNED NOT NULL,
    claim_date DATE NOT NULL,
    claim_amount DECIMAL(16,2) NOT NULL,
    claim_status VARCHAR(32) NOT NULL,
    content_sha256 CHAR(64) NOT NULL,
    stream_id VARCHAR(100) NOT NULL,
    stream_seq BIGINT UNSIGNED NOT NULL,
    created_at DATETIME(6) NOT NULL,
    hash_sha256 CHAR(64) NOT NULL,
    previous_hash_sha256 CHAR(64) NOT NULL,
    canonical_payload MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (claim_id, record_version),
    UNIQUE KEY uq_chain (stream_id, stream_seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
"""


def _schema() -> TableSchema:
    types = {
        "claim_id": "BIGINT",
        "record_version": "INT UNSIGNED",
        "claim_date": "DATE",
        "claim_amount": "DECIMAL(16,2)",
        "claim_status": "VARCHAR(32)",
        "content_sha256": "CHAR(64)",
        "stream_id": "VARCHAR(100)",
        "stream_seq": "BIGINT UNSIGNED",
        "created_at": "DATETIME(6)",
        "hash_sha256": "CHAR(64)",
        "previous_hash_sha256": "CHAR(64)",
        "canonical_payload": "MEDIUMTEXT",
    }
    return TableSchema(
        "audit",
        TABLE,
        tuple(Column(n, t, False, "") for n, t in types.items()),
        ("claim_id", "record_version"),
        "",
    )


@pytest.fixture
def versioned(audit_settings, owner):
    with owner.connect() as conn, conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute("DELETE FROM audit_chain_head WHERE stream_id = %s", (TABLE,))
        conn.commit()
        cur.execute(DDL)
        install_triggers(cur, audit_settings.target("audit").database)
    yield SimpleNamespace(name=TABLE, schema=_schema())
    with owner.connect() as conn, conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute("DELETE FROM audit_chain_head WHERE stream_id = %s", (TABLE,))
        conn.commit()


def _publish(db, spec, frame: pd.DataFrame) -> dict:
    mode = AppendVersions(key=("claim_id",))
    with StagedLoad(
        db, spec.schema, date_column=None, window=None, computed=mode.computed_columns
    ) as load:
        load.stage(frame)
        prepared = mode.prepare(load, spec, None)
        staged = load.query(f"SELECT claim_id, record_version FROM {load.staging}")[0]
        published = mode.publish(load, spec, None, datetime.now(UTC))
    return {**prepared, **published, "staged": sorted(staged)}


@pytest.mark.integration
def test_append_versions_appends_new_and_changed_rows_only(owner, versioned):
    first = pd.DataFrame(
        {
            "claim_id": [1, 2, 3],
            "claim_date": [date(2026, 1, 1)] * 3,
            "claim_amount": [100.0, 200.5, 300.25],
            "claim_status": ["OPEN", "OPEN", "OPEN"],
        }
    )
    result = _publish(owner, versioned, first)
    assert (result["rows_published"], result["rows_new"]) == (3, 3)
    second = first.copy()
    second.loc[1, "claim_status"] = "APPROVED"
    second = pd.concat(
        [
            second,
            pd.DataFrame(
                {
                    "claim_id": [4],
                    "claim_date": [date(2026, 1, 2)],
                    "claim_amount": [5.0],
                    "claim_status": ["OPEN"],
                }
            ),
        ]
    )
    result = _publish(owner, versioned, second)
    assert result["staged"] == [(2, 2), (4, 1)]  # what the data tests see
    assert (result["rows_new"], result["rows_changed"], result["rows_unchanged"]) == (1, 1, 2)
    assert _publish(owner, versioned, second)["rows_published"] == 0  # idempotent rerun
    rows = owner.query(
        f"SELECT claim_id, record_version, claim_status, stream_seq FROM {TABLE} "
        "ORDER BY stream_seq"
    )
    assert rows == [
        (1, 1, "OPEN", 1),
        (2, 1, "OPEN", 2),
        (3, 1, "OPEN", 3),
        (2, 2, "APPROVED", 4),
        (4, 1, "OPEN", 5),
    ]
    with owner.connect() as conn:
        report = verify.verify_all(conn, tables=[TABLE])
    assert report.status == "VALID", report.all_problems
    assert report.rows == 5
    with owner.connect() as conn, conn.cursor() as cur, pytest.raises(pymysql.err.MySQLError):
        cur.execute(f"UPDATE {TABLE} SET claim_status = 'X'")
    assert set(VERSION_COLUMNS) >= {"record_version", "content_sha256", "created_at"}
