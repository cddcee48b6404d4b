"""Canonical bytes and row hashes of the audit chain.

Every audit row is hashed over a canonical JSON text of its business values, built here and
stored verbatim next to the hash (`canonical_payload`); verification hashes the stored text and
never re-serialises anything MySQL returns as JSON.

Canonical JSON (close to RFC 8785 JCS): object keys sorted, no whitespace, UTF-8, no NaN or
infinity. Values are normalised before serialising, so the text depends on the value only:

* `datetime` -> ``"YYYY-MM-DDTHH:MM:SS.ffffffZ"`` (naive values are UTC, aware ones converted);
* `date` -> ``"YYYY-MM-DD"``; `Decimal` -> its exact text (``"12.50"``); `bool` -> true/false;
* `int` -> a JSON integer; `str` -> itself; `bytes` -> lowercase hex; `float` is refused at the
  top level of a row (use Decimal) and written with `repr` inside nested source images;
* nested source row images keep PostgreSQL's exact numeric text: they are parsed with
  ``parse_float=str``, so ``12.50`` becomes the string ``"12.50"`` and is never rounded.

Row hash (hex SHA-256)::

    SHA-256("genims-audit-v1\\n" + stream_id + "\\n" + seq + "\\n" + previous_hash + "\\n"
            + canonical_payload)

MySQL computes the same value with ``SHA2(CONCAT('genims-audit-v1\\n', stream_id, '\\n',
stream_seq, '\\n', previous_hash_sha256, '\\n', canonical_payload), 256)``, which lets the
incremental verification run inside the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

HASH_VERSION = "genims-audit-v1"
GENESIS_HASH = "0" * 64
"""`previous_hash_sha256` of the first row of every stream."""

_dumps = partial(
    json.dumps, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)

loads_exact = partial(json.loads, parse_float=str)
"""Parse JSON text (e.g. a PostgreSQL jsonb image) keeping every decimal number's exact text."""


class UtcText(str):
    """A UTC timestamp already in canonical text form (``...ffffffZ``); bound to MySQL
    DATETIME(6) without the trailing Z."""

    __slots__ = ()

    @property
    def mysql(self) -> str:
        return f"{self[:10]} {self[11:-1]}"


def utc_text(value: datetime) -> UtcText:
    return UtcText(timestamp_text(value))


def utc_text_from_iso(text: str) -> UtcText:
    """Canonical UTC text of an ISO-8601 timestamp with an offset (e.g. from PostgreSQL's
    to_jsonb); a value without an offset is taken as UTC."""
    return UtcText(timestamp_text(datetime.fromisoformat(text)))


class CanonicalError(ValueError):
    """A value that has no canonical form (a float, NaN, an unknown type)."""


def timestamp_text(value: datetime) -> str:
    """A timestamp as canonical text: UTC, always six fractional digits, a trailing Z."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep="T", timespec="microseconds") + "Z"


def canonical_value(value: Any, *, nested: bool = False) -> Any:
    """The JSON-ready form of one value (see the module docstring for the rules)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CanonicalError(f"{value!r} has no canonical form")
        return str(value)
    if isinstance(value, datetime):
        return timestamp_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): canonical_value(v, nested=True) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_value(v, nested=True) for v in value]
    if isinstance(value, float) and nested:
        if value != value or value in (float("inf"), float("-inf")):
            raise CanonicalError(f"{value!r} has no canonical form")
        return value
    raise CanonicalError(
        f"{type(value).__name__} {value!r} has no canonical form; use Decimal for numbers"
    )


def _default(value: Any) -> Any:
    """Called by the JSON encoder for the types it does not know (Decimal, datetime, ...)."""
    if isinstance(value, float | str | bool | int) or value is None:
        raise CanonicalError(f"{value!r} has no canonical form")
    return canonical_value(value, nested=True)


def canonical_json(row: Mapping[str, Any]) -> str:
    """The canonical text of one row (a mapping of column or field names to values)."""
    for value in row.values():
        if type(value) is float:
            raise CanonicalError(f"float {value!r} has no canonical form; use Decimal for numbers")
    # The C encoder does the work; `_default` only sees Decimal, datetime, date and bytes.
    return _dumps(row, default=_default)


def dumps_canonical(value: Any) -> str:
    """Serialise an already canonical value (used on nested images parsed by `loads_exact`)."""
    return _dumps(value)


def row_hash(stream_id: str, seq: int, previous_hash: str, payload: str | bytes) -> str:
    """The hex SHA-256 of one chained row."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    head = f"{HASH_VERSION}\n{stream_id}\n{seq}\n{previous_hash}\n".encode()
    return hashlib.sha256(head + payload).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(payload: str) -> str:
    """SHA-256 of a canonical text alone (used to compare versions of a record)."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


SQL_ROW_HASH = (
    "SHA2(CONCAT('genims-audit-v1\\n', {a}stream_id, '\\n', {a}stream_seq, '\\n', "
    "{a}previous_hash_sha256, '\\n', {a}canonical_payload), 256)"
)
"""The row hash as a MySQL expression; format with ``a="alias."`` (or ``a=""``)."""
