"""Helpers of the backup tests: databases of their own filled with rows of every column type,
audit rows appended through the hash chains, and figures read independently of the code under
test."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pymysql

from genims_platform.lib import mysql

# Values that must survive a dump and a restore byte for byte.
TEXT = "Zürich ✓ 'quoted' \"double\" back\\slash; -- not a comment"


def _value(column: dict, i: int):
    data_type = column["DATA_TYPE"].lower()
    column_type = column["COLUMN_TYPE"].lower()
    length = column["CHARACTER_MAXIMUM_LENGTH"]
    if data_type == "tinyint":
        return i % 2 if column_type.startswith("tinyint(1)") else i % 100
    if data_type == "smallint":
        return i % 30000
    if data_type in ("int", "mediumint", "bigint"):
        return i
    if data_type == "decimal":
        precision, scale = int(column["NUMERIC_PRECISION"]), int(column["NUMERIC_SCALE"])
        whole = i % (10 ** max(precision - scale - 1, 1))
        return Decimal(whole) + (Decimal("0.5") if scale else 0)
    if data_type in ("double", "float"):
        return i / 8
    if data_type == "date":
        return date(2025, 1, 1) + timedelta(days=i)
    if data_type in ("datetime", "timestamp"):
        return datetime(2025, 1, 1, 0, 0, 0, (i * 1013) % 1_000_000) + timedelta(hours=i)
    if data_type in ("char", "varchar"):
        return f"{i}:{TEXT}"[: int(length)]
    if data_type in ("text", "mediumtext", "longtext", "json"):
        # Valid JSON, so that MariaDB's JSON columns (LONGTEXT + json_valid) take it too.
        return json.dumps({"i": i, "text": TEXT, "lines": "one\ntwo"}, ensure_ascii=False)
    if data_type == "enum":
        return re.findall(r"'((?:[^']|'')*)'", column["COLUMN_TYPE"])[0]
    if data_type in ("binary", "varbinary", "blob"):
        return bytes([i % 256, 0, 255, 39, 92])[: int(length or 5)]
    raise AssertionError(f"no test value for {data_type} ({column['COLUMN_NAME']})")


def fill_tables(conn, database: str, rows: int, *, big: dict[str, int] | None = None) -> dict:
    """Insert `rows` rows (or big[table]) into every base table of `database` that is empty;
    returns the rows inserted per table."""
    inserted = {}
    with conn.cursor() as cur:
        cur.execute("SET SESSION foreign_key_checks = 0")
        cur.execute(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
            "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
            (database,),
        )
        tables = [r[0] for r in cur.fetchall()]
        for table in tables:
            cur.execute(f"SELECT COUNT(*) FROM `{database}`.`{table}`")
            if cur.fetchone()[0]:
                continue
            cur.execute(
                "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, CHARACTER_MAXIMUM_LENGTH, "
                "NUMERIC_PRECISION, NUMERIC_SCALE, EXTRA FROM information_schema.COLUMNS "
                "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION",
                (database, table),
            )
            names = [d[0] for d in cur.description]
            columns = [
                dict(zip(names, r, strict=True))
                for r in cur.fetchall()
                if "generated" not in (r[6] or "").lower()
                and "auto_increment" not in (r[6] or "").lower()
            ]
            count = (big or {}).get(table, rows)
            listed = ", ".join(f"`{c['COLUMN_NAME']}`" for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(
                f"INSERT INTO `{database}`.`{table}` ({listed}) VALUES ({marks})",
                [[_value(c, i) for c in columns] for i in range(1, count + 1)],
            )
            inserted[table] = count
    conn.commit()
    return inserted


def live_figures(target, database: str | None = None) -> dict[str, tuple[int, int | None]]:
    """(rows, CHECKSUM TABLE) of every base table, read directly from the server."""
    database = database or target.database
    out = {}
    with mysql.connect(target, database=None) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
            "AND TABLE_TYPE = 'BASE TABLE'",
            (database,),
        )
        for (table,) in cur.fetchall():
            cur.execute(f"SELECT COUNT(*) FROM `{database}`.`{table}`")
            count = cur.fetchone()[0]
            cur.execute(f"CHECKSUM TABLE `{database}`.`{table}`")
            out[table] = (int(count), cur.fetchone()[1])
    return out


def schemas(target) -> set[str]:
    with mysql.connect(target, database=None) as conn, conn.cursor() as cur:
        cur.execute("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA")
        return {r[0] for r in cur.fetchall()}


def drop_databases(target, names) -> None:
    with mysql.connect(target, database=None, autocommit=True) as conn, conn.cursor() as cur:
        for name in names:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def append_audit_rows(owner, count: int, label: str) -> None:
    """Append `count` documents to document_retention_log through the hash chain (stream
    document_retention_log/audit_archive), as the owner account."""
    from genims_platform.audit.chain import begin_append
    from genims_platform.operations.documents import DocumentAction, record_document_actions

    actions = [
        DocumentAction(
            container="test-archive",
            name=f"{label}/{i}.json",
            document_type="AUDIT_ARCHIVE",
            action="CREATED",
            retention_requirement="test rows",
            performed_by="pytest",
            size_bytes=i,
            sha256="ab" * 32,
            details={"i": i, "text": TEXT},
        )
        for i in range(count)
    ]
    with owner.connect() as conn:
        begin_append(conn)
        with conn.cursor() as cur:
            record_document_actions(cur, actions, datetime.now(UTC))
        conn.commit()


def document_rows(owner, location: str) -> list[tuple]:
    """(action, sha256, details) of every document_retention_log row of `location`."""
    with owner.connect() as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT action, sha256, details FROM document_retention_log WHERE document_id = %s "
            "ORDER BY stream_id, stream_seq",
            (location,),
        )
        rows = [(r[0], r[1], json.loads(r[2]) if r[2] else None) for r in cur.fetchall()]
        conn.commit()
    return rows


def raw_blob_client(connection_string: str, container: str, name: str):
    """The SDK's client of one blob: the test plays the part of storage that changes under
    the platform's feet (bit rot, an attacker), bypassing the platform's own blob layer."""
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(connection_string).get_blob_client(
        container, name
    )


def delete_container(connection_string: str, container: str) -> None:
    from azure.core.exceptions import ResourceNotFoundError
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(connection_string)
    with contextlib.suppress(ResourceNotFoundError):
        service.delete_container(container)


def gunzip(data: bytes) -> bytes:
    return gzip.decompress(data)


def is_mysql_error(error: BaseException) -> bool:
    return isinstance(error, pymysql.err.MySQLError)
