"""Asset keys follow the physical tables: [database, table].

Keys use the catalogue's default physical names, so an asset keeps its identity (and its history
in the Dagster instance) when a site maps a logical database to another physical name; the
`dagster/table_name` metadata shows where the table really lives.
"""

from __future__ import annotations

import dagster as dg

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES


def source_key(logical: str, table: str) -> dg.AssetKey:
    return dg.AssetKey([SOURCE_DATABASES[logical], table])


def target_key(logical: str, table: str) -> dg.AssetKey:
    return dg.AssetKey([TARGET_DATABASES[logical], table])


def source_group(logical: str) -> str:
    return SOURCE_DATABASES[logical]


def target_group(logical: str) -> str:
    return TARGET_DATABASES[logical]


def pg_resource_key(logical: str) -> str:
    return f"pg_{logical}"


def mysql_resource_key(logical: str) -> str:
    return f"mysql_{logical}"


def source_pool(logical: str) -> str:
    """Concurrency pool of the steps that read a source database (limits in dagster.yaml)."""
    return f"source_{logical}"
