"""Fixtures of the fault-injection and hostile-input tests: private servers to break, and a
Dagster instance for the in-process runs."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import dagster as dg
import pytest

from genims_platform_tests.conftest import PREFIX
from genims_platform_tests.hardening import servers


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    """One Dagster instance for a module's in-process runs."""
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture(scope="module")
def mariadb() -> Iterator[servers.PrivateServer]:
    """A MariaDB of the tests' own (login with a password, so leaks can be looked for)."""
    server = servers.private_mariadb(
        f"{PREFIX}2_mysql", f"{PREFIX}_owner", f"pw-{secrets.token_hex(12)}"
    )
    server.start()
    try:
        yield server
    finally:
        servers.remove(server)


@pytest.fixture(scope="module")
def private_pg() -> Iterator[servers.PrivateServer]:
    """A PostgreSQL cluster of the tests' own, for one source database that goes down."""
    server = servers.private_postgres(f"{PREFIX}3_pg")
    server.start()
    try:
        yield server
    finally:
        servers.remove(server)
