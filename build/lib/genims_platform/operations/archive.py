"""Archives of purged audit rows in blob storage.

Before the retention job deletes audit rows it writes them, with their chain columns, to one
gzip-compressed JSON-lines blob per table and creation day:
``<database>/<table>/<YYYY>/<MM>/<DD>/<table>-<YYYYMMDD>-<run timestamp>.jsonl.gz``.

Each line is the canonical JSON (`genims_platform.audit.canonical`) of one row::

    {"canonical_payload": "<the hashed text, verbatim>", "hash_sha256": "...",
     "previous_hash_sha256": "...", "stream_id": "...", "stream_seq": 17, "table": "..."}

in (stream, seq) order, so every row hash can be recomputed from the archive alone and every
link checked; every stored business column is inside the payload (docs/audit.md). The gzip
header carries no timestamp, so the same rows always give the same bytes. The blob's metadata
holds the SHA-256 of the blob (``sha256``), the row count, the creation period covered and the
streams (when the list fits in 4 KB); the same SHA-256 is recorded in document_retention_log
and data_retention_schedule.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from genims_platform.audit.canonical import canonical_json, timestamp_text
from genims_platform.lib.blob import BlobInfo, BlobStore

FORMAT = "genims-audit-archive-v1"
SPOOL_BYTES = 16 * 1024 * 1024
STREAMS_LISTED_BYTES = 4096


@dataclass(frozen=True)
class ArchivedRow:
    """One audit row as archived: its chain columns and the hashed payload."""

    table: str
    stream_id: str
    stream_seq: int
    previous_hash: str
    hash: str
    payload: str

    def line(self) -> bytes:
        return (
            canonical_json(
                {
                    "table": self.table,
                    "stream_id": self.stream_id,
                    "stream_seq": self.stream_seq,
                    "previous_hash_sha256": self.previous_hash,
                    "hash_sha256": self.hash,
                    "canonical_payload": self.payload,
                }
            ).encode("utf-8")
            + b"\n"
        )


def archive_name(database: str, table: str, day: date, now: datetime) -> str:
    stamp = now.astimezone(UTC)
    return (
        f"{database}/{table}/{day:%Y/%m/%d}/{table}-{day:%Y%m%d}-{stamp:%Y%m%dT%H%M%S%fZ}.jsonl.gz"
    )


@dataclass(frozen=True)
class ArchiveResult:
    container: str
    name: str
    rows: int
    size: int
    sha256: str

    @property
    def location(self) -> str:
        return f"{self.container}/{self.name}"


def write_archive(
    store: BlobStore,
    container: str,
    name: str,
    rows: Iterable[ArchivedRow],
    *,
    database: str,
    table: str,
    created_from: datetime,
    created_to: datetime,
    run_id: str,
    streams: Iterable[str] = (),
    check: Callable[[int], None] | None = None,
) -> ArchiveResult:
    """Compress `rows` (streamed through a spooled file, never all in memory) and upload them
    under `name`; never overwrites. `check` gets the row count before the upload and may
    refuse it by raising."""
    count = 0
    listed = ",".join(sorted(set(streams)))
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        with gzip.GzipFile(fileobj=spool, mode="wb", mtime=0, compresslevel=6) as out:
            for row in rows:
                out.write(row.line())
                count += 1
        size = spool.tell()
        if check is not None:
            check(count)
        spool.seek(0)
        store.ensure_container(container)
        info: BlobInfo = store.put_stream(
            container,
            name,
            spool,
            metadata={
                "format": FORMAT,
                "database": database,
                "table": table,
                "rows": str(count),
                "created_from": timestamp_text(created_from),
                "created_to": timestamp_text(created_to),
                "run_id": run_id[:64],
                # Listed when they fit in Azure's 8 KB of metadata; a reader that finds no list
                # must assume every stream of the table.
                **({"streams": listed} if 0 < len(listed) <= STREAMS_LISTED_BYTES else {}),
            },
        )
    return ArchiveResult(container, name, count, size, info.sha256 or "")


def read_archive(data: bytes) -> Iterator[ArchivedRow]:
    """The rows of an archive blob's bytes, in order."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
        for line in handle:
            item = json.loads(line)
            yield ArchivedRow(
                table=item["table"],
                stream_id=item["stream_id"],
                stream_seq=int(item["stream_seq"]),
                previous_hash=item["previous_hash_sha256"],
                hash=item["hash_sha256"],
                payload=item["canonical_payload"],
            )
