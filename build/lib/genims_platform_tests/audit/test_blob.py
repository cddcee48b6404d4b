"""The blob interface: the Azure implementation against Azurite, the in-memory fake for what
Azurite cannot do (immutability, legal holds)."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from genims_platform.lib.blob import (
    AzureBlobStore,
    BlobExistsError,
    BlobImmutableError,
    BlobNotFoundError,
    MemoryBlobStore,
    sha256_of,
)


@pytest.fixture(params=["azurite", "memory"])
def store(request, settings):
    if request.param == "azurite":
        return AzureBlobStore(settings.azure_connection_string)
    return MemoryBlobStore()


@pytest.mark.integration
def test_put_get_list_delete(store):
    container = f"gt-au-blob-{uuid.uuid4().hex[:8]}"
    store.ensure_container(container)
    store.ensure_container(container)  # idempotent
    data = b'{"digest": 1}'
    info = store.put(container, "a/one.json", data, metadata={"kind": "digest"})
    assert info.sha256 == sha256_of(data)
    with pytest.raises(BlobExistsError):
        store.put(container, "a/one.json", b"other")
    streamed = store.put_stream(container, "a/two.bin", io.BytesIO(b"x" * 100_000))
    assert streamed.sha256 == sha256_of(b"x" * 100_000)
    assert store.get(container, "a/one.json") == data
    target = io.BytesIO()
    assert store.download_to(container, "a/two.bin", target) == 100_000
    assert store.info(container, "a/one.json").metadata["kind"] == "digest"
    assert [b.name for b in store.list(container, prefix="a/")] == ["a/one.json", "a/two.bin"]
    assert store.exists(container, "a/one.json")
    store.delete(container, "a/one.json")
    assert not store.exists(container, "a/one.json")
    with pytest.raises(BlobNotFoundError):
        store.get(container, "a/one.json")


def test_memory_store_enforces_worm_and_legal_holds():
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    store = MemoryBlobStore(clock=lambda: now[0])
    store.ensure_container("c")
    store.put("c", "d.json", b"1")
    store.set_immutability("c", "d.json", now[0] + timedelta(days=7))
    with pytest.raises(BlobImmutableError):
        store.delete("c", "d.json")
    with pytest.raises(BlobImmutableError):
        store.put("c", "d.json", b"2", overwrite=True)
    with pytest.raises(BlobImmutableError):
        store.set_immutability("c", "d.json", now[0] + timedelta(days=1))  # only extend
    now[0] += timedelta(days=8)
    store.set_legal_hold("c", "d.json", True)
    with pytest.raises(BlobImmutableError):
        store.delete("c", "d.json")
    store.set_legal_hold("c", "d.json", False)
    store.delete("c", "d.json")
    assert not store.exists("c", "d.json")
