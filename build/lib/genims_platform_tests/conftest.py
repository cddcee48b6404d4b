"""Test-wide set-up: every test database gets a prefix of its own, so the suite never touches the
demo databases and parallel workers (GENIMS_TEST_PREFIX=...) never touch each other's."""

from __future__ import annotations

import os
import uuid

import pytest

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES

PREFIX = os.environ.get("GENIMS_TEST_PREFIX", "gtest")


def pytest_configure(config: pytest.Config) -> None:
    for logical in SOURCE_DATABASES:
        os.environ[f"PG_DATABASE_{logical.upper()}"] = f"{PREFIX}_{logical}"
    for logical in TARGET_DATABASES:
        os.environ[f"MYSQL_{logical.upper()}_DB"] = f"{PREFIX}_{logical}"
    os.environ["DAGSTER_PG_DB"] = f"{PREFIX}_dagster"


@pytest.fixture(scope="session")
def settings():
    from genims_platform.settings import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def contracts(settings):
    """The 13 source databases with their contract tables and the 3 migrated MySQL databases
    (no change capture: table tests do not need it)."""
    from genims_platform.sources.contract import apply_contract
    from genims_platform.targets import init_target

    for logical in SOURCE_DATABASES:
        apply_contract(settings, logical)
    for logical in TARGET_DATABASES:
        init_target(settings, logical)
    return settings


@pytest.fixture(scope="session")
def initialized(settings):
    """All 16 databases created, contracts applied, capture installed, migrations run."""
    from genims_platform.bootstrap import init_all

    init_all(settings)
    return settings


@pytest.fixture
def scratch_pg(settings):
    """An empty PostgreSQL database of its own, dropped afterwards."""
    from genims_platform.lib import pg

    name = f"{PREFIX}_scratch_{uuid.uuid4().hex[:8]}"
    pg.create_database(settings.pg_primary, name)
    try:
        yield name
    finally:
        pg.drop_database(settings.pg_primary, name)
