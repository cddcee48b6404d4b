"""Blob storage behind a small interface: Azure Blob Storage (Azurite locally) or in memory.

`AzureBlobStore` is the real implementation (azure-storage-blob), used in production and
against Azurite in the tests. `MemoryBlobStore` is a fake for what Azurite cannot do:
immutability (WORM) policies and legal holds are enforced by it the way Azure documents them
(an object under an unexpired policy or a legal hold can be read but neither overwritten nor
deleted), so code that relies on them can be tested. Every object can carry metadata; `put`
records the SHA-256 of the content in the metadata key ``sha256`` so a reader can check what it
got.

Secrets: the connection string is never logged or put in an error message.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO, Protocol

from genims_platform.lib.errors import GenimsError, scrub

SHA256_KEY = "sha256"


class BlobError(GenimsError):
    """A blob operation failed; the message names the container and blob."""


class BlobExistsError(BlobError):
    """The blob exists and overwriting was not allowed."""


class BlobNotFoundError(BlobError):
    """No such blob."""


class BlobImmutableError(BlobError):
    """The blob is under an immutability policy or a legal hold."""


@dataclass(frozen=True)
class BlobInfo:
    container: str
    name: str
    size: int
    metadata: Mapping[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None

    @property
    def sha256(self) -> str | None:
        return self.metadata.get(SHA256_KEY)


class BlobStore(Protocol):
    """What the platform needs from blob storage."""

    def ensure_container(self, container: str) -> None: ...

    def put(
        self,
        container: str,
        name: str,
        data: bytes,
        *,
        metadata: Mapping[str, str] | None = None,
        overwrite: bool = False,
    ) -> BlobInfo: ...

    def put_stream(
        self,
        container: str,
        name: str,
        stream: BinaryIO,
        *,
        metadata: Mapping[str, str] | None = None,
        overwrite: bool = False,
    ) -> BlobInfo: ...

    def get(self, container: str, name: str) -> bytes: ...

    def download_to(self, container: str, name: str, target: BinaryIO) -> int: ...

    def read_chunks(self, container: str, name: str) -> Iterator[bytes]: ...

    def set_metadata(self, container: str, name: str, metadata: Mapping[str, str]) -> None: ...

    def info(self, container: str, name: str) -> BlobInfo: ...

    def exists(self, container: str, name: str) -> bool: ...

    def list(self, container: str, prefix: str = "") -> list[BlobInfo]: ...

    def delete(self, container: str, name: str) -> None: ...

    def set_immutability(self, container: str, name: str, until: datetime) -> None: ...

    def set_legal_hold(self, container: str, name: str, hold: bool) -> None: ...


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class AzureBlobStore:
    """Azure Blob Storage (or Azurite) through azure-storage-blob."""

    def __init__(self, connection_string: str, *, max_concurrency: int = 4) -> None:
        self._connection_string = connection_string
        self._max_concurrency = max_concurrency
        self._client = None
        self._lock = threading.Lock()

    def _service(self):
        from azure.storage.blob import BlobServiceClient

        with self._lock:
            if self._client is None:
                try:
                    self._client = BlobServiceClient.from_connection_string(self._connection_string)
                except ValueError as error:
                    raise BlobError(
                        "AZURE_STORAGE_CONNECTION_STRING is not a valid connection string: "
                        + scrub(str(error), [self._connection_string])
                    ) from None
            return self._client

    def _error(self, action: str, container: str, name: str | None, error: Exception):
        from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

        where = f"{container}/{name}" if name else container
        reason = scrub(
            str(error).splitlines()[0] if str(error) else type(error).__name__,
            [self._connection_string],
        )
        if isinstance(error, ResourceNotFoundError):
            return BlobNotFoundError(f"{action} {where}: not found")
        if isinstance(error, ResourceExistsError):
            return BlobExistsError(f"{action} {where}: already exists")
        return BlobError(f"{action} {where} failed: {reason}")

    def ensure_container(self, container: str) -> None:
        from azure.core.exceptions import AzureError, ResourceExistsError

        try:
            self._service().create_container(container)
        except ResourceExistsError:
            return
        except AzureError as error:
            raise self._error("creating container", container, None, error) from None

    def put(self, container, name, data, *, metadata=None, overwrite=False) -> BlobInfo:
        from io import BytesIO

        meta = {**(metadata or {}), SHA256_KEY: sha256_of(data)}
        return self._upload(container, name, BytesIO(data), meta, overwrite, len(data))

    def put_stream(self, container, name, stream, *, metadata=None, overwrite=False) -> BlobInfo:
        hasher = hashlib.sha256()

        class _Hashing:
            def __init__(self, inner: BinaryIO) -> None:
                self.inner = inner
                self.size = 0

            def read(self, n: int = -1) -> bytes:
                chunk = self.inner.read(n)
                hasher.update(chunk)
                self.size += len(chunk)
                return chunk

        wrapped = _Hashing(stream)
        info = self._upload(container, name, wrapped, dict(metadata or {}), overwrite, None)
        meta = {**info.metadata, SHA256_KEY: hasher.hexdigest()}
        from azure.core.exceptions import AzureError

        try:
            self._service().get_blob_client(container, name).set_blob_metadata(meta)
        except AzureError as error:
            raise self._error("setting metadata of", container, name, error) from None
        return BlobInfo(container, name, wrapped.size, meta, info.last_modified)

    def _upload(self, container, name, stream, metadata, overwrite, length) -> BlobInfo:
        from azure.core.exceptions import AzureError

        client = self._service().get_blob_client(container, name)
        try:
            result = client.upload_blob(
                stream,
                length=length,
                overwrite=overwrite,
                metadata=dict(metadata),
                max_concurrency=self._max_concurrency,
            )
        except AzureError as error:
            raise self._error("uploading", container, name, error) from None
        return BlobInfo(container, name, length or 0, dict(metadata), result.get("last_modified"))

    def get(self, container: str, name: str) -> bytes:
        from azure.core.exceptions import AzureError

        try:
            return self._service().get_blob_client(container, name).download_blob().readall()
        except AzureError as error:
            raise self._error("downloading", container, name, error) from None

    def download_to(self, container: str, name: str, target: BinaryIO) -> int:
        from azure.core.exceptions import AzureError

        try:
            downloader = (
                self._service()
                .get_blob_client(container, name)
                .download_blob(max_concurrency=self._max_concurrency)
            )
            return downloader.readinto(target)
        except AzureError as error:
            raise self._error("downloading", container, name, error) from None

    def read_chunks(self, container: str, name: str) -> Iterator[bytes]:
        """The content in order, a few MiB at a time (for consumers that cannot seek, e.g. a
        pipe into a restore)."""
        from azure.core.exceptions import AzureError

        try:
            downloader = self._service().get_blob_client(container, name).download_blob()
            yield from downloader.chunks()
        except AzureError as error:
            raise self._error("downloading", container, name, error) from None

    def set_metadata(self, container: str, name: str, metadata: Mapping[str, str]) -> None:
        """Replace the blob's metadata (ASCII keys and values, 8 KiB in total)."""
        from azure.core.exceptions import AzureError

        try:
            self._service().get_blob_client(container, name).set_blob_metadata(dict(metadata))
        except AzureError as error:
            raise self._error("setting metadata of", container, name, error) from None

    def info(self, container: str, name: str) -> BlobInfo:
        from azure.core.exceptions import AzureError

        try:
            props = self._service().get_blob_client(container, name).get_blob_properties()
        except AzureError as error:
            raise self._error("reading properties of", container, name, error) from None
        return BlobInfo(
            container, name, props.size, dict(props.metadata or {}), props.last_modified
        )

    def exists(self, container: str, name: str) -> bool:
        from azure.core.exceptions import AzureError

        try:
            return bool(self._service().get_blob_client(container, name).exists())
        except AzureError as error:
            raise self._error("checking", container, name, error) from None

    def list(self, container: str, prefix: str = "") -> list[BlobInfo]:
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        try:
            blobs = (
                self._service()
                .get_container_client(container)
                .list_blobs(name_starts_with=prefix or None, include=["metadata"])
            )
            return [
                BlobInfo(container, b.name, b.size, dict(b.metadata or {}), b.last_modified)
                for b in blobs
            ]
        except ResourceNotFoundError:
            return []
        except AzureError as error:
            raise self._error("listing", container, prefix or None, error) from None

    def delete(self, container: str, name: str) -> None:
        from azure.core.exceptions import AzureError

        try:
            self._service().get_blob_client(container, name).delete_blob()
        except AzureError as error:
            raise self._error("deleting", container, name, error) from None

    def set_immutability(self, container: str, name: str, until: datetime) -> None:
        """Version-level WORM (needs an account with version-level immutability enabled;
        Azurite does not support it)."""
        from azure.core.exceptions import AzureError
        from azure.storage.blob import BlobImmutabilityPolicyMode, ImmutabilityPolicy

        policy = ImmutabilityPolicy(
            expiry_time=until, policy_mode=BlobImmutabilityPolicyMode.Unlocked
        )
        try:
            self._service().get_blob_client(container, name).set_immutability_policy(policy)
        except AzureError as error:
            raise self._error("setting immutability of", container, name, error) from None

    def set_legal_hold(self, container: str, name: str, hold: bool) -> None:
        from azure.core.exceptions import AzureError

        try:
            self._service().get_blob_client(container, name).set_legal_hold(hold)
        except AzureError as error:
            raise self._error("setting the legal hold of", container, name, error) from None


@dataclass
class _MemoryBlob:
    data: bytes
    metadata: dict[str, str]
    last_modified: datetime
    immutable_until: datetime | None = None
    legal_hold: bool = False


class MemoryBlobStore:
    """In-memory blob storage with Azure's WORM semantics (for tests only)."""

    def __init__(self, clock=lambda: datetime.now(UTC)) -> None:
        self._containers: dict[str, dict[str, _MemoryBlob]] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def ensure_container(self, container: str) -> None:
        with self._lock:
            self._containers.setdefault(container, {})

    def _blob(self, container: str, name: str) -> _MemoryBlob:
        blob = self._containers.get(container, {}).get(name)
        if blob is None:
            raise BlobNotFoundError(f"{container}/{name}: not found")
        return blob

    def _check_mutable(self, container: str, name: str, blob: _MemoryBlob) -> None:
        if blob.legal_hold:
            raise BlobImmutableError(f"{container}/{name} is under a legal hold")
        if blob.immutable_until is not None and self._clock() < blob.immutable_until:
            raise BlobImmutableError(
                f"{container}/{name} is immutable until {blob.immutable_until.isoformat()}"
            )

    def put(self, container, name, data, *, metadata=None, overwrite=False) -> BlobInfo:
        with self._lock:
            if container not in self._containers:
                raise BlobNotFoundError(f"container {container}: not found")
            existing = self._containers[container].get(name)
            if existing is not None:
                if not overwrite:
                    raise BlobExistsError(f"uploading {container}/{name}: already exists")
                self._check_mutable(container, name, existing)
            meta = {**(metadata or {}), SHA256_KEY: sha256_of(data)}
            self._containers[container][name] = _MemoryBlob(bytes(data), meta, self._clock())
            return BlobInfo(container, name, len(data), meta, self._clock())

    def put_stream(self, container, name, stream, *, metadata=None, overwrite=False) -> BlobInfo:
        return self.put(container, name, stream.read(), metadata=metadata, overwrite=overwrite)

    def get(self, container: str, name: str) -> bytes:
        with self._lock:
            return self._blob(container, name).data

    def download_to(self, container: str, name: str, target: BinaryIO) -> int:
        data = self.get(container, name)
        target.write(data)
        return len(data)

    def read_chunks(self, container: str, name: str) -> Iterator[bytes]:
        data = self.get(container, name)
        for start in range(0, len(data), 4 << 20):
            yield data[start : start + (4 << 20)]

    def set_metadata(self, container: str, name: str, metadata: Mapping[str, str]) -> None:
        with self._lock:
            blob = self._blob(container, name)
            self._check_mutable(container, name, blob)
            blob.metadata = dict(metadata)

    def info(self, container: str, name: str) -> BlobInfo:
        with self._lock:
            blob = self._blob(container, name)
            return BlobInfo(
                container, name, len(blob.data), dict(blob.metadata), blob.last_modified
            )

    def exists(self, container: str, name: str) -> bool:
        with self._lock:
            return name in self._containers.get(container, {})

    def list(self, container: str, prefix: str = "") -> list[BlobInfo]:
        with self._lock:
            blobs = self._containers.get(container, {})
            return [
                BlobInfo(container, n, len(b.data), dict(b.metadata), b.last_modified)
                for n, b in sorted(blobs.items())
                if n.startswith(prefix)
            ]

    def delete(self, container: str, name: str) -> None:
        with self._lock:
            blob = self._blob(container, name)
            self._check_mutable(container, name, blob)
            del self._containers[container][name]

    def set_immutability(self, container: str, name: str, until: datetime) -> None:
        with self._lock:
            blob = self._blob(container, name)
            if blob.immutable_until is not None and until < blob.immutable_until:
                raise BlobImmutableError(
                    f"{container}/{name}: an immutability period can only be extended"
                )
            blob.immutable_until = until

    def set_legal_hold(self, container: str, name: str, hold: bool) -> None:
        with self._lock:
            self._blob(container, name).legal_hold = hold

    def items(self, container: str) -> Iterator[tuple[str, bytes]]:
        """Every blob of a container (test helper)."""
        with self._lock:
            yield from ((n, b.data) for n, b in sorted(self._containers.get(container, {}).items()))
